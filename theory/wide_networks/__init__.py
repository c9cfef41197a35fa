"""Wide neural networks at initialisation: infinite-width kernels and 1/width corrections.

Public API:

- :func:`nngp_kernel`, :func:`ntk_kernel`, :func:`pair_expectations` -- infinite-width kernels
  (Neal 1996; Lee et al. 2018; Jacot et al. 2018) with closed forms by Cho & Saul (2009) and
  Williams (1997);
- :func:`resolve_activation`, :class:`Activation`, :data:`ACTIVATION_NAMES` -- activation specs;
- :func:`finite_width`, :func:`default_weight_variance` -- 1/width corrections: four-point vertex,
  variance correction, excess kurtosis (Roberts, Yaida & Hanin 2022);
- :func:`exact_moment_ratio`, :func:`exact_fourth_moment`, :func:`relu_zero_atom` -- exact finite-width
  results (Hanin & Nica 2020; the fourth moment for any symmetric parameter laws and biases);
- :func:`resolve_law`, :class:`Law`, :data:`LAW_NAMES` -- laws of the standardised weights and biases
  (Gaussian, uniform, Rademacher, Student t, measured);
- :func:`network_moments` -- variance, excess kurtosis, covariance and mean NTK of a finite-width MLP on
  given inputs, any parameter laws (the first layer exact, 1/width after it);
- :func:`output_density` -- 1/width Edgeworth density of a one-hidden-layer network;
- :func:`four_point_two_inputs` -- multi-input four-point vertex of a one-hidden-layer network;
- :func:`ntk_predict`, :func:`nngp_posterior` -- trained infinite-width ensembles (from :mod:`theory.ntk`,
  loaded lazily on first access).

References: Roberts, Yaida & Hanin, *The Principles of Deep Learning Theory* (2022).
"""

from theory.wide_networks import _derivations  # noqa: F401  (registers the derivations)
from theory.wide_networks._activations import ACTIVATION_NAMES, Activation, resolve_activation
from theory.wide_networks._density import OutputDensity, output_density
from theory.wide_networks._exact import exact_fourth_moment, exact_moment_ratio, relu_zero_atom
from theory.wide_networks._finite_width import FiniteWidthResult, default_weight_variance, finite_width
from theory.wide_networks._kernels import nngp_kernel, ntk_kernel, pair_expectations
from theory.wide_networks._laws import LAW_NAMES, Law, resolve_law
from theory.wide_networks._multi_input import four_point_two_inputs
from theory.wide_networks._network import NetworkMoments, network_moments

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
    "exact_fourth_moment",
    "LAW_NAMES",
    "Law",
    "resolve_law",
    "NetworkMoments",
    "network_moments",
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
