"""Trained networks: batched MLP ensembles, their gradient-descent training and empirical NTKs.

Public API:

- :class:`MLPSpec` -- an MLP architecture (NTK or standard parameterisation, any activation of
  :mod:`numerics.activations`);
- :func:`train_ensemble` -- full-batch GD / minibatch SGD of a whole ensemble as one batched tensor
  program, returning a :class:`TrainResult`; :func:`flatten_params` -- per-member parameter vectors;
- :func:`empirical_ntk`, :func:`ensemble_ntk` -- empirical neural tangent kernels
  (Jacot, Gabriel & Hongler 2018, arXiv:1806.07572);
- :func:`trained_moments` -- variance-reduced mean and covariance of trained ensembles;
- :func:`ensemble_mean_cov` -- plain ensemble mean and covariance with standard errors.

Conventions (shared with :mod:`theory.ntk`): summed MSE loss, one GD step
:math:`\\theta \\leftarrow \\theta - \\eta\\nabla\\mathcal L`, time counted in steps
(Lee et al. 2019, arXiv:1902.06720).
"""

from numerics.ntk._empirical import empirical_ntk, ensemble_ntk
from numerics.ntk._moments import trained_moments
from numerics.ntk._spec import MLPSpec
from numerics.ntk._training import TrainResult, ensemble_mean_cov, flatten_params, train_ensemble

__all__ = [
    "MLPSpec",
    "TrainResult",
    "train_ensemble",
    "flatten_params",
    "empirical_ntk",
    "ensemble_ntk",
    "trained_moments",
    "ensemble_mean_cov",
]
