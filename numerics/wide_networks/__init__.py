"""Ensembles of wide networks at initialisation and the statistics of their outputs.

- :func:`mlp_ensemble_outputs` -- outputs of many independently initialised MLPs, one batched
  tensor program (explicit weights, or exact function-space sampling);
- :func:`mlp_ensemble_forward` -- the stacked forward pass;
- :func:`module_ensemble_outputs` -- an ensemble of a user's ``torch.nn.Module`` (``vmap``);
- estimators with computed standard errors: moment ratios, excess kurtosis, their
  Rao-Blackwellised versions, covariances and joint fourth cumulants.

References: Neal, *Bayesian Learning for Neural Networks* (1996), ch. 2; Lee et al., ICLR 2018;
Roberts, Yaida & Hanin, *The Principles of Deep Learning Theory* (2022), ch. 4.
"""

from numerics.wide_networks._ensemble import mlp_ensemble_forward, mlp_ensemble_outputs, module_ensemble_outputs
from numerics.wide_networks._stats import (
    conditional_fourth_cumulant_estimate,
    conditional_moment_ratio_estimate,
    conditional_moments_estimate,
    covariance_estimate,
    excess_kurtosis_estimate,
    fourth_cumulant_estimate,
    integrated_moments_estimate,
    moment_ratio_estimate,
)

__all__ = [
    "mlp_ensemble_outputs",
    "mlp_ensemble_forward",
    "module_ensemble_outputs",
    "moment_ratio_estimate",
    "excess_kurtosis_estimate",
    "conditional_moments_estimate",
    "conditional_moment_ratio_estimate",
    "covariance_estimate",
    "fourth_cumulant_estimate",
    "conditional_fourth_cumulant_estimate",
    "integrated_moments_estimate",
]
