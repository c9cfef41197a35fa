"""Fuzzed invariants of density matrices, Lindblad evolution and channels (numerics/density_matrix).

Tolerances: evolved states are judged against the solver's own rigorous trace-norm error bound
(``info["error_bound"]`` of :func:`numerics.density_matrix.lindblad_evolve`), which bounds every matrix
element and every eigenvalue shift (Weyl).  Elsewhere double-precision rounding in an ``n x n``
eigen/matrix product is ~ ``n * eps * ||A||``; those tolerances are that scale times a stated safety
factor of 100 (the LAPACK error bounds are ``p(n) eps ||A||`` with a modest, unspecified ``p(n)``;
Anderson et al., LAPACK Users' Guide, 1999, sec. 4.7-4.8), never tuned per example.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.linalg import expm

from numerics.density_matrix import (
    apply_kraus,
    choi_matrix,
    lindblad_evolve,
    liouvillian_matrix,
    partial_trace,
    purity,
    trace_distance,
    von_neumann_entropy,
)
from validation.fuzz import invariant
from validation.strategies._density_matrix import (
    density_matrices,
    hamiltonians,
    jump_operators,
    kraus_channels,
)

__all__: list[str] = []

EPS = np.finfo(float).eps


def _gen_norm(H: np.ndarray, Ls: list[np.ndarray]) -> float:
    return 2 * np.linalg.norm(H, 2) + sum(np.linalg.norm(L, 2) ** 2 for L in Ls)


@invariant("density_matrix.evolution_keeps_state")
@given(st.integers(2, 4).flatmap(lambda n: st.tuples(hamiltonians(dim=n), jump_operators(dim=n), density_matrices(dim=n))),
       st.floats(0.01, 3.0), st.sampled_from(["propagator", "taylor"]))
def _evolution_keeps_state(sys: tuple, t: float, method: str) -> None:
    H, Ls, rho0 = sys
    rho, info = lindblad_evolve(H, Ls, rho0, [0.0, t / 2, t], method=method, return_info=True)
    n = H.shape[0]
    # the exact states have unit trace, are Hermitian and PSD; the computed ones are within the bound b
    # in trace norm: |tr D| <= b, |D - D^dagger|_ij <= 2b, eigenvalue shifts <= b (Weyl), plus the
    # rounding of these checks themselves (~ n eps)
    b = info["error_bound"] + 100 * n * EPS
    assert np.all(np.abs(np.trace(rho, axis1=1, axis2=2) - 1) <= b)
    assert np.all(np.abs(rho - rho.conj().transpose(0, 2, 1)).max((1, 2)) <= 2 * b)
    assert np.all(np.linalg.eigvalsh((rho + rho.conj().transpose(0, 2, 1)) / 2).min(1) >= -b)


@invariant("density_matrix.semigroup_law")
@given(st.integers(2, 3).flatmap(lambda n: st.tuples(hamiltonians(dim=n), jump_operators(dim=n, min_count=1), density_matrices(dim=n))),
       st.floats(0.05, 2.0), st.floats(0.05, 2.0))
def _semigroup(sys: tuple, s: float, t: float) -> None:
    H, Ls, rho0 = sys
    direct, i1 = lindblad_evolve(H, Ls, rho0, [0.0, s + t], return_info=True)
    mid, i2 = lindblad_evolve(H, Ls, rho0, [0.0, s], return_info=True)
    mid = (mid[-1] + mid[-1].conj().T) / 2
    mid = mid / np.trace(mid).real  # within 2 b_mid of rho(s) in trace norm (Hermitian part, renormalised)
    two_step, i3 = lindblad_evolve(H, Ls, mid, [0.0, t], return_info=True)
    n = H.shape[0]
    # e^{L(s+t)} = e^{Lt} e^{Ls} (contraction carries the mid-point error): the two routes differ by at most
    # b_direct + 2 b_mid + b_second in trace norm, plus the rounding of the renormalisation (~ n eps)
    tol = i1["error_bound"][-1] + 2 * i2["error_bound"][-1] + i3["error_bound"][-1] + 100 * n * EPS
    assert np.abs(direct[-1] - two_step[-1]).max() <= tol


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
    vec = lambda X: X.T.reshape(-1)
    # ... is the adjoint of the Schrodinger generator: S^dagger vec(A) = vec(L^dag(A))
    scale = (1 + _gen_norm(H, Ls)) * (1 + np.abs(A).max()) * n**2 * EPS * 100
    assert np.abs(S.conj().T @ vec(A) - vec(LdA)).max() <= scale
    # and tr(A rho(t)) = tr(A(t) rho0) with A(t) = e^{L^dag t} A
    solver_bound = 0.0
    if t > 0:
        rho_path, info = lindblad_evolve(H, Ls, rho0, [0.0, t], return_info=True)
        rho_t = rho_path[-1]
        # the solver's own error bound on rho(t) (trace norm): |tr(A d)| <= ||A||_op ||d||_1
        solver_bound = float(np.max(info["error_bound"])) * float(np.linalg.norm(A, 2))
    else:
        rho_t = rho0
    A_t = (expm(S.conj().T * t) @ vec(A)).reshape(n, n).T
    lhs, rhs = np.trace(A @ rho_t), np.trace(A_t @ rho0)
    assert abs(lhs - rhs) <= 10 * scale * (1 + _gen_norm(H, Ls) * t) + solver_bound


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
