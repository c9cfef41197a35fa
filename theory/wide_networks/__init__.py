"""Wide neural networks at initialization: infinite-width kernels and 1/width corrections.

Public API (re-exported from private-ish submodules):

- :func:`nngp_kernel`, :func:`ntk_kernel` -- infinite-width kernels (``kernels.py``);
- :func:`resolve_activation` -- activation specs (``activations.py``).

References: Roberts, Yaida & Hanin, *The Principles of Deep Learning Theory* (2022).
"""

from theory.wide_networks.activations import ACTIVATION_NAMES, Activation, resolve_activation
from theory.wide_networks.kernels import nngp_kernel, ntk_kernel, pair_expectations
from theory.wide_networks.training import ntk_predict, nngp_posterior  # noqa: F401

__all__ = [
    "ACTIVATION_NAMES",
    "Activation",
    "resolve_activation",
    "nngp_kernel",
    "ntk_kernel",
    "pair_expectations",
    "ntk_predict",
    "nngp_posterior",
]
