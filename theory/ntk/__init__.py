"""Trained infinite-width networks: the neural tangent kernel (NTK) dynamics of gradient descent.

Public API:

- :func:`ntk_predict` -- mean and covariance of an infinite-width ensemble trained by gradient
  flow or discrete gradient descent on MSE (Lee et al. 2019, arXiv:1902.06720, eqs. 14-16);
- :func:`nngp_posterior` -- the exact Bayesian NNGP posterior it is compared with
  (Rasmussen & Williams 2006, eqs. 2.22-2.24);
- :func:`ntk_stability_limit` -- the largest stable GD learning rate :math:`2/\\lambda_{\\max}(\\Theta_{XX})`.

The kernels themselves (NNGP :math:`K`, NTK :math:`\\Theta`; Jacot, Gabriel & Hongler 2018) come from
:mod:`theory.wide_networks`; finite-width corrections to the trained ensemble are :math:`O(1/n)`
(Roberts, Yaida & Hanin, *The Principles of Deep Learning Theory*, 2022, ch. 10-11).
The derivation ``ntk-gradient-flow`` is registered in ``_derivations``.
"""

from theory.ntk import _derivations  # noqa: F401  (registers the derivations)
from theory.ntk._training import nngp_posterior, ntk_predict, ntk_stability_limit

__all__ = ["ntk_predict", "nngp_posterior", "ntk_stability_limit"]
