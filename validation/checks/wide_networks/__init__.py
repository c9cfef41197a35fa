"""Wide-network checks: finite-width predictions (theory.wide_networks) against ensembles of real
torch networks (numerics.wide_networks), every network defined once by ``validation.systems.MLP``.

Modules: exact moment ratios (``_exact``), 1/width variance and kurtosis and their residual
scaling (``_finite_width``), the Edgeworth density (``_density``), several inputs: NNGP covariance
and four-point vertex (``_kernels``).  Every ensemble check takes ``method``: ``"weights"`` (real
networks, every quick set) or ``"function_space"`` (exact function-space sampling).
"""

from validation.checks.wide_networks import _density, _exact, _finite_width, _kernels  # noqa: F401  (register)
from validation.checks.wide_networks._kernels import module_factory

__all__ = ["module_factory"]
