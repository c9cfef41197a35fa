"""Wide neural networks at initialization: infinite-width kernels and 1/width corrections.

Public API (re-exported from private-ish submodules):

- :func:`nngp_kernel`, :func:`ntk_kernel` -- infinite-width kernels (``kernels.py``);
- :func:`resolve_activation` -- activation specs (``activations.py``);
- :func:`finite_width` -- 1/width corrections: four-point vertex, variance correction, excess kurtosis;
- :func:`exact_moment_ratio`, :func:`relu_zero_atom` -- exact finite-width results (Hanin & Nica 2020);
- :func:`output_density` -- 1/width Edgeworth density of a one-hidden-layer network;
- :func:`four_point_two_inputs` -- multi-input four-point vertex of a one-hidden-layer network;
- :func:`ntk_predict`, :func:`nngp_posterior` -- trained infinite-width ensembles (from :mod:`theory.ntk`,
  loaded lazily on first access).

References: Roberts, Yaida & Hanin, *The Principles of Deep Learning Theory* (2022).
"""

from theory.wide_networks.activations import ACTIVATION_NAMES, Activation, resolve_activation
from theory.wide_networks import derivations as _derivations  # noqa: F401  (registers the docs)
from theory.wide_networks.density import OutputDensity, output_density
from theory.wide_networks.exact import exact_moment_ratio, relu_zero_atom
from theory.wide_networks.finite_width import FiniteWidthResult, default_weight_variance, finite_width
from theory.wide_networks.kernels import nngp_kernel, ntk_kernel, pair_expectations
from theory.wide_networks.multi_input import four_point_two_inputs

__all__ = [
    "ACTIVATION_NAMES",
    "Activation",
    "resolve_activation",
    "nngp_kernel",
    "ntk_kernel",
    "pair_expectations",
    "FiniteWidthResult",
    "finite_width",
    "default_weight_variance",
    "exact_moment_ratio",
    "relu_zero_atom",
    "OutputDensity",
    "four_point_two_inputs",
    "output_density",
    "ntk_predict",
    "nngp_posterior",
]


def __getattr__(name: str) -> object:
    """``ntk_predict`` and ``nngp_posterior`` live in :mod:`theory.ntk`, which imports this package's
    kernels; they are loaded on first access, so neither package imports the other at import time."""
    if name in ("ntk_predict", "nngp_posterior"):
        import theory.ntk

        return getattr(theory.ntk, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
