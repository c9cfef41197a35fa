"""Fuzzed invariants of density matrices, Lindblad evolution and channels (numerics/density_matrix).

Tolerances: double precision rounding in an ``n x n`` eigen/matrix product is ~ ``n * eps * ||A||``;
a propagated state accumulates ~ ``(1 + ||L|| t) * n^2 * eps`` (one superoperator product per step,
norms bounded by ``2||H|| + sum ||L_k||^2``).  Each tolerance below is that scale times a safety
factor of 100-1000 (never tuned per example), and says which norm it scales with.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.linalg import expm

from numerics.density_matrix import (
    apply_kraus,
    choi_matrix,
    liouvillian_matrix,
    lindblad_evolve,
    partial_trace,
    purity,
    trace_distance,
    von_neumann_entropy,
)
from validation.strategies._density_matrix import density_matrices, hamiltonians, jump_operators, kraus_channels
from validation.fuzz import invariant

__all__: list[str] = []

EPS = np.finfo(float).eps


def _gen_norm(H: np.ndarray, Ls: list[np.ndarray]) -> float:
    return 2 * np.linalg.norm(H, 2) + sum(np.linalg.norm(L, 2) ** 2 for L in Ls)


@invariant("density_matrix.evolution_keeps_state")
@given(st.integers(2, 4).flatmap(lambda n: st.tuples(hamiltonians(dim=n), jump_operators(dim=n), density_matrices(dim=n))),
       st.floats(0.01, 3.0), st.sampled_from(["propagator", "taylor"]))
def _evolution_keeps_state(sys: tuple, t: float, method: str) -> None:
    H, Ls, rho0 = sys
    rho = lindblad_evolve(H, Ls, rho0, [0.0, t / 2, t], method=method)
    n = H.shape[0]
    # Taylor: the requested atol/rtol (1e-10/1e-8) bound the error; propagator: rounding ~ (1 + ||L|| t) n^2 eps
    tol = 1e-8 + 1000 * (1 + _gen_norm(H, Ls) * t) * n**2 * EPS
    assert np.all(np.abs(np.trace(rho, axis1=1, axis2=2) - 1) <= tol)
    assert np.abs(rho - rho.conj().transpose(0, 2, 1)).max() <= tol
    assert np.linalg.eigvalsh((rho + rho.conj().transpose(0, 2, 1)) / 2).min() >= -tol


@invariant("density_matrix.semigroup_law")
@given(st.integers(2, 3).flatmap(lambda n: st.tuples(hamiltonians(dim=n), jump_operators(dim=n, min_count=1), density_matrices(dim=n))),
       st.floats(0.05, 2.0), st.floats(0.05, 2.0))
def _semigroup(sys: tuple, s: float, t: float) -> None:
    H, Ls, rho0 = sys
    direct = lindblad_evolve(H, Ls, rho0, [0.0, s + t])[-1]
    mid = lindblad_evolve(H, Ls, rho0, [0.0, s])[-1]
    mid = (mid + mid.conj().T) / 2
    mid = mid / np.trace(mid).real
    two_step = lindblad_evolve(H, Ls, mid, [0.0, t])[-1]
    n = H.shape[0]
    # e^{L(s+t)} = e^{Lt} e^{Ls}: both routes differ by rounding ~ (1 + ||L||(s+t)) n^2 eps
    assert np.abs(direct - two_step).max() <= 1000 * (1 + _gen_norm(H, Ls) * (s + t)) * n**2 * EPS


@invariant("density_matrix.heisenberg_schrodinger_duality")
@given(st.integers(2, 3).flatmap(lambda n: st.tuples(hamiltonians(dim=n), jump_operators(dim=n), density_matrices(dim=n),
                                                      hamiltonians(dim=n))), st.floats(0.0, 2.0))
def _duality(sys: tuple, t: float) -> None:
    H, Ls, rho0, A = sys
    n = H.shape[0]
    # Heisenberg generator L^dag(A) = i[H, A] + sum L^dag A L - {L^dag L, A}/2 ...
    LdA = 1j * (H @ A - A @ H)
    for L in Ls:
        K = L.conj().T @ L
        LdA = LdA + L.conj().T @ A @ L - 0.5 * (K @ A + A @ K)
    S = liouvillian_matrix(H, Ls)
    vec = lambda X: X.T.reshape(-1)  # noqa: E731  (column stacking)
    # ... is the adjoint of the Schrodinger generator: S^dagger vec(A) = vec(L^dag(A))
    scale = (1 + _gen_norm(H, Ls)) * (1 + np.abs(A).max()) * n**2 * EPS * 100
    assert np.abs(S.conj().T @ vec(A) - vec(LdA)).max() <= scale
    # and tr(A rho(t)) = tr(A(t) rho0) with A(t) = e^{L^dag t} A
    rho_t = lindblad_evolve(H, Ls, rho0, [0.0, t])[-1] if t > 0 else rho0
    A_t = (expm(S.conj().T * t) @ vec(A)).reshape(n, n).T
    lhs, rhs = np.trace(A @ rho_t), np.trace(A_t @ rho0)
    assert abs(lhs - rhs) <= 10 * scale * (1 + _gen_norm(H, Ls) * t)


@invariant("density_matrix.complete_positivity")
@given(st.tuples(st.integers(1, 3), st.integers(1, 3)).flatmap(lambda d: kraus_channels(dim_in=d[0], dim_out=d[1])))
def _cp(K: list[np.ndarray]) -> None:
    J = choi_matrix(K)
    d_in, d_out = K[0].shape[1], K[0].shape[0]
    # Choi PSD (completely positive) and tr_out J = I (trace preserving); K's have unit operator norm at most
    tol = 100 * len(K) * d_in * d_out * EPS
    assert np.linalg.eigvalsh(J).min() >= -tol
    assert np.abs(partial_trace(J, [d_in, d_out], [0]) - np.eye(d_in)).max() <= tol


@invariant("density_matrix.trace_distance_contractive")
@given(st.integers(2, 3).flatmap(lambda n: st.tuples(kraus_channels(dim_in=n), density_matrices(dim=n), density_matrices(dim=n))))
def _contractive(sys: tuple) -> None:
    K, rho, sigma = sys
    n = rho.shape[0]
    # D(Phi rho, Phi sigma) <= D(rho, sigma); eigenvalue rounding ~ n eps per trace distance
    assert trace_distance(apply_kraus(K, rho), apply_kraus(K, sigma)) <= trace_distance(rho, sigma) + 100 * n * EPS


@invariant("density_matrix.unital_purity_entropy")
@given(st.integers(2, 4).flatmap(lambda n: st.tuples(kraus_channels(dim_in=n, unital=True), density_matrices(dim=n))))
def _unital(sys: tuple) -> None:
    K, rho = sys
    n = rho.shape[0]
    out = apply_kraus(K, rho)
    # unital channels never increase purity nor decrease entropy (Nielsen & Chuang thm 11.9);
    # entropy rounding: eigenvalue errors ~ n eps, times |ln(cutoff)| ~ 28 at the 1e-12 cutoff
    assert purity(out) <= purity(rho) + 100 * n * EPS
    assert von_neumann_entropy(out) >= von_neumann_entropy(rho) - 1e-10


@invariant("density_matrix.entropy_bounds")
@given(st.integers(1, 5).flatmap(lambda n: density_matrices(dim=n, kind="pure" if n == 1 else "any")))
def _entropy_bounds(rho: np.ndarray) -> None:
    n = rho.shape[0]
    S = von_neumann_entropy(rho)
    # 0 <= S <= ln d; the 1e-12 eigenvalue cutoff moves S by at most d * 1e-12 * 28
    assert np.isfinite(S) and 0.0 <= S <= np.log(n) + n * 1e-10


@invariant("density_matrix.subadditivity_araki_lieb")
@given(st.tuples(st.integers(2, 3), st.integers(2, 3)).flatmap(
    lambda d: st.tuples(st.just(d), density_matrices(dim=d[0] * d[1]))))
def _subadditivity(sys: tuple) -> None:
    (dA, dB), rho = sys
    S_AB = von_neumann_entropy(rho)
    S_A = von_neumann_entropy(partial_trace(rho, [dA, dB], [0]))
    S_B = von_neumann_entropy(partial_trace(rho, [dA, dB], [1]))
    tol = 1e-9  # each entropy is within ~ d * 1e-12 * 28 of exact (eigenvalue cutoff), d <= 9
    assert S_AB <= S_A + S_B + tol  # subadditivity
    assert abs(S_A - S_B) <= S_AB + tol  # Araki-Lieb
