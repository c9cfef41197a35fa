"""Invariants of the wide-network theory (theory.wide_networks) on drawn architectures."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from theory.wide_networks import exact_moment_ratio, finite_width, nngp_kernel, ntk_kernel
from validation.fuzz import invariant
from validation.strategies import kernel_inputs, mlp_architectures, scale_invariant_activations

__all__: list[str] = []


@invariant("wide_networks.kernels_symmetric_psd")
@given(mlp_architectures(max_depth=3), kernel_inputs(), st.sampled_from(["ntk", "standard"]))
def kernels_symmetric_psd(arch: dict, X: np.ndarray, param: str) -> None:
    """NNGP and NTK Gram matrices are symmetric and positive semi-definite (up to the stated quadrature error)."""
    L = len(arch["hidden_widths"]) + 1
    cw = [arch["K1"]] + [arch["C_W"]] * (L - 1)
    for fn in (nngp_kernel, ntk_kernel):
        G, err = fn(X, X, arch["activation"], cw, arch["C_b"], parameterization=param, return_error=True)
        scale = max(np.abs(G).max(), 1e-300)
        assert np.allclose(G, G.T, rtol=1e-10, atol=1e-12 * scale)
        assert np.linalg.eigvalsh(G).min() >= -1e-9 * scale - 4 * X.shape[0] * err.max()


@invariant("wide_networks.moment_ratio_monotone")
@given(scale_invariant_activations(), st.lists(st.integers(1, 50), min_size=0, max_size=4), st.integers(1, 50),
       st.sampled_from([4, 6]))
def moment_ratio_monotone(act: object, widths: list, extra: int, k: int) -> None:
    """Scale-invariant moment ratios are >= the Gaussian (k-1)!! and increase with every added layer."""
    r = exact_moment_ratio(act, widths, k=k)
    gauss = float(math.prod(range(k - 1, 0, -2)))
    assert r >= gauss * (1 - 1e-12)
    if act == "linear" or act == ("leaky_relu", 1.0):
        assert exact_moment_ratio(act, widths + [extra], k=k) > r * (1 - 1e-12)
    else:
        assert exact_moment_ratio(act, widths + [extra], k=k) > r


@invariant("wide_networks.first_order_matches_exact")
@given(scale_invariant_activations(), st.lists(st.integers(1, 8), min_size=1, max_size=4))
def first_order_matches_exact(act: object, profile: list) -> None:
    """The 1/n kurtosis equals the first-order expansion of the exact product formula (widths -> 10^6 x profile)."""
    widths = [10 ** 6 * b for b in profile]
    fw = finite_width(act, widths, C_b=0.0)
    exact = exact_moment_ratio(act, widths) - 3
    assert math.isclose(fw.excess_kurtosis, exact, rel_tol=1e-4, abs_tol=1e-14)
    assert abs(fw.variance_correction) <= 1e-12 * fw.kernel  # exactly 0 up to rounding


@invariant("wide_networks.finite_width_sane")
@given(mlp_architectures(max_depth=3, min_width=2))
def finite_width_sane(arch: dict) -> None:
    """Kernels stay positive, the four-point vertex is non-negative, the kurtosis is 3 v / K^2."""
    fw = finite_width(arch["activation"], arch["hidden_widths"], C_W=arch["C_W"], C_b=arch["C_b"], K1=arch["K1"])
    assert all(k > 0 for k in fw.kernels)
    assert fw.four_point >= -1e-12 * fw.kernel ** 2
    assert math.isclose(fw.excess_kurtosis, 3 * fw.four_point / fw.kernel ** 2, rel_tol=1e-12, abs_tol=1e-300)
