"""numerics.density_matrix: Lindblad evolution against QuTiP and between methods; channels, entropies, sampling."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from numerics.density_matrix import lindblad_evolve, liouvillian_matrix


def _system(rng: np.random.Generator, n: int, k: int = 2, scale: float = 0.4) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    A = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    H = (A + A.conj().T) / 4
    Ls = [scale * (rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))) / np.sqrt(n) for _ in range(k)]
    psi = rng.normal(size=n) + 1j * rng.normal(size=n)
    psi /= np.linalg.norm(psi)
    return H, Ls, np.outer(psi, psi.conj())


def _mesolve(H: np.ndarray, Ls: list[np.ndarray], rho0: np.ndarray, t: np.ndarray) -> np.ndarray:
    qt = pytest.importorskip("qutip")
    res = qt.mesolve(qt.Qobj(H), qt.Qobj(rho0), t, [qt.Qobj(L) for L in Ls], options={"atol": 1e-13, "rtol": 1e-11, "nsteps": 100000})
    return np.array([s.full() for s in res.states])


@pytest.mark.parametrize("method", ["propagator", "taylor"])
def test_against_qutip_mesolve(method: str) -> None:
    rng = np.random.default_rng(0)
    H, Ls, r0 = _system(rng, 4)
    t = np.linspace(0, 4, 21)
    ours = lindblad_evolve(H, Ls, r0, t, method=method)
    assert ours.shape == (21, 4, 4)
    np.testing.assert_allclose(ours, _mesolve(H, Ls, r0, t), atol=1e-9)


def test_batched_equals_individual_and_qutip() -> None:
    rng = np.random.default_rng(1)
    systems = [_system(rng, 3) for _ in range(4)]
    H = np.array([s[0] for s in systems])
    Ls = [np.array([s[1][k] for s in systems]) for k in range(2)]
    r0 = np.array([s[2] for s in systems])
    t = np.array([0.0, 0.2, 0.5, 1.5, 3.0])  # non-uniform grid
    out = lindblad_evolve(H, Ls, r0, t)
    assert out.shape == (4, 5, 3, 3)
    for b in range(4):
        np.testing.assert_allclose(out[b], lindblad_evolve(H[b], [L[b] for L in Ls], r0[b], t), atol=1e-13)
        np.testing.assert_allclose(out[b], _mesolve(H[b], [L[b] for L in Ls], r0[b], t), atol=1e-9)


def test_taylor_reaches_tolerance_against_propagator() -> None:
    rng = np.random.default_rng(2)
    H, Ls, r0 = _system(rng, 6)
    t = np.linspace(0, 10, 11)
    exact = lindblad_evolve(H, Ls, r0, t, method="propagator")
    for atol in (1e-6, 1e-10):
        approx, info = lindblad_evolve(H, Ls, r0, t, method="taylor", atol=atol, rtol=atol * 100, return_info=True)
        assert np.abs(approx - exact).max() <= atol + 100 * atol * np.abs(exact).max()
        assert info["method"] == "taylor" and info["error_bound"].shape == t.shape
        # the truncation share is at most atol + rtol sqrt(N); the rest of the bound is rounding
        assert info["error_bound"][-1] <= (atol + 100 * atol * np.sqrt(6)) * 1.01 + 1e-12


def test_auto_picks_the_cheaper_route() -> None:
    rng = np.random.default_rng(3)
    H, Ls, r0 = _system(rng, 3, k=1)
    t = np.linspace(0, 1, 11)
    _, info = lindblad_evolve(H, Ls, r0, t, return_info=True)
    _, info2 = lindblad_evolve(H, Ls, r0, t, method="taylor", return_info=True)
    assert info["method"] == "propagator" and info["work_estimate"] <= info2["work_estimate"]
    # N = 40: the N^2 x N^2 exponential (about 7e11 operations) loses to the matrix-form series
    H, Ls, r0 = _system(rng, 40, k=1)
    _, info = lindblad_evolve(H, Ls, r0, np.linspace(0, 0.5, 6), return_info=True)
    assert info["method"] == "taylor"


def test_broadcasting_single_H_over_batch_of_states() -> None:
    rng = np.random.default_rng(4)
    H, Ls, r0 = _system(rng, 3)
    _, _, r1 = _system(rng, 3)
    out = lindblad_evolve(H, Ls, np.array([r0, r1]), [0.0, 1.0])
    assert out.shape == (2, 2, 3, 3)
    np.testing.assert_allclose(out[1], lindblad_evolve(H, Ls, r1, [0.0, 1.0]), atol=1e-13)


def test_physical_properties_and_no_mutation() -> None:
    rng = np.random.default_rng(5)
    H, Ls, r0 = _system(rng, 4)
    copies = [H.copy(), [L.copy() for L in Ls], r0.copy()]
    out = lindblad_evolve(H, Ls, r0, np.linspace(0, 3, 7))
    np.testing.assert_array_equal(H, copies[0])
    np.testing.assert_array_equal(r0, copies[2])
    for L, c in zip(Ls, copies[1]):
        np.testing.assert_array_equal(L, c)
    np.testing.assert_allclose(np.trace(out, axis1=1, axis2=2), 1, atol=1e-12)
    np.testing.assert_allclose(out, out.conj().transpose(0, 2, 1), atol=1e-12)
    assert np.linalg.eigvalsh(out).min() > -1e-12
    np.testing.assert_array_equal(out[0], r0)


def test_torch_in_torch_out_and_qobj_in() -> None:
    rng = np.random.default_rng(6)
    H, Ls, r0 = _system(rng, 2)
    t = np.linspace(0, 1, 5)
    ref = lindblad_evolve(H, Ls, r0, t)
    out = lindblad_evolve(torch.tensor(H), [torch.tensor(L) for L in Ls], torch.tensor(r0), torch.tensor(t))
    assert isinstance(out, torch.Tensor) and out.dtype == torch.complex128
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-14)
    qt = pytest.importorskip("qutip")
    outq = lindblad_evolve(qt.Qobj(H), [qt.Qobj(L) for L in Ls], qt.Qobj(r0), t)
    assert isinstance(outq, np.ndarray)
    np.testing.assert_allclose(outq, ref, atol=1e-14)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_matches_cpu() -> None:
    rng = np.random.default_rng(7)
    H, Ls, r0 = _system(rng, 16)
    t = np.linspace(0, 1, 5)
    ref = lindblad_evolve(H, Ls, r0, t)
    out = lindblad_evolve(torch.tensor(H, device="cuda"), [torch.tensor(L, device="cuda") for L in Ls], torch.tensor(r0, device="cuda"), t)
    assert out.device.type == "cuda"
    np.testing.assert_allclose(out.cpu().numpy(), ref, atol=1e-9)


def test_liouvillian_matrix_matches_qutip() -> None:
    qt = pytest.importorskip("qutip")
    rng = np.random.default_rng(8)
    H, Ls, _ = _system(rng, 3)
    ref = qt.liouvillian(qt.Qobj(H), [qt.Qobj(L) for L in Ls]).full()
    np.testing.assert_allclose(liouvillian_matrix(H, Ls), ref, atol=1e-14)


def test_bad_input() -> None:
    rng = np.random.default_rng(9)
    H, Ls, r0 = _system(rng, 3)
    t = [0.0, 1.0]
    with pytest.raises(ValueError, match="Hermitian"):
        lindblad_evolve(H + np.triu(np.ones((3, 3)), 1), Ls, r0, t)
    with pytest.raises(ValueError, match="trace"):
        lindblad_evolve(H, Ls, 2 * r0, t)
    with pytest.raises(ValueError, match="Hermitian"):
        lindblad_evolve(H, Ls, r0 + np.triu(0.1j * np.ones((3, 3)), 1), t)
    with pytest.raises(ValueError, match="positive semidefinite"):
        lindblad_evolve(H, Ls, np.diag([1.5, -0.5, 0.0]), t)
    with pytest.raises(ValueError, match="shape"):
        lindblad_evolve(H, [np.eye(2)], r0, t)
    with pytest.raises(ValueError, match="batch sizes"):
        lindblad_evolve(np.array([H, H]), Ls, np.array([r0, r0, r0]), t)
    with pytest.raises(ValueError, match="strictly increasing"):
        lindblad_evolve(H, Ls, r0, [0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="finite"):
        lindblad_evolve(H * np.nan, Ls, r0, t)
    with pytest.raises(ValueError, match="finite"):
        lindblad_evolve(H, Ls, r0, [0.0, np.inf])
    with pytest.raises(TypeError, match="list or tuple"):
        lindblad_evolve(H, Ls[0], r0, t)
    with pytest.raises(ValueError, match="method"):
        lindblad_evolve(H, Ls, r0, t, method="rk4")
    with pytest.raises(ValueError, match="atol"):
        lindblad_evolve(H, Ls, r0, t, atol=-1.0)
    with pytest.raises(TypeError, match="atol"):
        lindblad_evolve(H, Ls, r0, t, atol="1e-10")
    with pytest.raises(TypeError, match="times"):
        lindblad_evolve(H, Ls, r0, "0 1")




# ---- the error bound is a bound ----------------------------------------------------------------------
def _reference(H: np.ndarray, Ls: list[np.ndarray], r0: np.ndarray, t: np.ndarray) -> np.ndarray:
    """rho(t) at 40 digits (mpmath's exponential of the superoperator built from the same double inputs)."""
    mpmath = pytest.importorskip("mpmath")
    n = H.shape[0]
    with mpmath.workdps(40):
        Hm = mpmath.matrix(H.tolist())
        Lm = [mpmath.matrix(L.tolist()) for L in Ls]
        eye = mpmath.eye(n)

        def kron(A: object, B: object) -> object:
            out = mpmath.matrix(n * n, n * n)
            for i in range(n):
                for j in range(n):
                    for k in range(n):
                        for m in range(n):
                            out[i * n + k, j * n + m] = A[i, j] * B[k, m]
            return out

        S = -1j * (kron(eye, Hm) - kron(Hm.T, eye))
        for L in Lm:
            Ld = L.transpose_conj()
            Kd = Ld * L
            S += kron(L.conjugate(), L) - kron(eye, Kd) / 2 - kron(Kd.T, eye) / 2
        v0 = mpmath.matrix([r0[i, j] for j in range(n) for i in range(n)])
        out = []
        for tt in t:
            x = mpmath.expm(S * mpmath.mpf(float(tt))) * v0
            out.append(np.array([[complex(x[i + n * j]) for j in range(n)] for i in range(n)]))
    return np.array(out)


def _trace_norm(X: np.ndarray) -> np.ndarray:
    return np.linalg.svd(X, compute_uv=False).sum(-1)


@pytest.mark.parametrize("method", ["propagator", "taylor"])
@pytest.mark.parametrize("scale,grid", [(0.4, "uniform"), (3.0, "nonuniform")])
def test_error_bound_holds_against_a_40_digit_reference(method: str, scale: float, grid: str) -> None:
    rng = np.random.default_rng(11)
    H, Ls, r0 = _system(rng, 2, scale=scale)
    t = np.linspace(0, 6, 7) if grid == "uniform" else np.array([0, 0.01, 0.3, 0.31, 2.0, 7.5])
    ref = _reference(H, Ls, r0, t)
    out, info = lindblad_evolve(H, Ls, r0, t, method=method, atol=1e-12, rtol=1e-12, return_info=True)
    err = _trace_norm(out - ref)
    assert np.all(err <= info["error_bound"])
    assert info["error_bound"][-1] < 1e-8  # and it is informative


def test_taylor_stays_hermitian_on_stiff_problems() -> None:
    """Regression: the matrix-form generator is contractive only on Hermitian matrices; rounding used to
    grow an anti-Hermitian part exponentially (errors of 1e76 at t = 7.5 for jump rates ~ 100)."""
    rng = np.random.default_rng(5)
    H, Ls, r0 = _system(rng, 2, scale=3.0)
    t = np.array([0, 0.01, 0.3, 0.31, 2.0, 7.5])
    exact = lindblad_evolve(H, Ls, r0, t, method="propagator")
    approx = lindblad_evolve(H, Ls, r0, t, method="taylor", atol=1e-12, rtol=1e-12)
    assert np.abs(approx - exact).max() < 1e-10


# ---- work and memory caps -----------------------------------------------------------------------
def _ladder(n: int) -> np.ndarray:
    return np.diag(np.sqrt(np.arange(1, n)), 1).astype(complex)


def test_taylor_work_cap_refuses_before_starting() -> None:
    """Regression: N = 14, kappa = 1e4, t = 1e3 on the Taylor route used to run for hours."""
    a = _ladder(14)
    rho0 = np.diag(np.eye(14)[3]).astype(complex)
    with pytest.raises(ValueError, match="max_work"):
        lindblad_evolve(a.T @ a, [np.sqrt(1e4) * a], rho0, [0.0, 1e3], method="taylor")


def test_long_nonuniform_grid_refused_not_allocated() -> None:
    """Regression: a non-uniform grid of 200k points at N = 8 used to allocate 13 GB of exponentials."""
    a = _ladder(8)
    rho0 = np.diag(np.eye(8)[3]).astype(complex)
    t = np.cumsum(np.r_[0, np.random.default_rng(0).uniform(0.5, 1.5, 200_000 - 1) * 1e-4])
    for method in ("propagator", "auto"):
        with pytest.raises(ValueError, match="max_work"):
            lindblad_evolve(a.T @ a, [0.3 * a], rho0, t, method=method)


def test_memory_cap_names_the_knob_and_caps_can_be_raised() -> None:
    a = _ladder(3)
    rho0 = np.diag([1.0, 0, 0]).astype(complex)
    t = np.linspace(0, 1, 11)
    with pytest.raises(ValueError, match="max_memory"):
        lindblad_evolve(a.T @ a, [a], rho0, t, max_memory=1000.0)
    with pytest.raises(ValueError, match="max_work"):
        lindblad_evolve(a.T @ a, [a], rho0, t, max_work=10.0)
    out = lindblad_evolve(a.T @ a, [a], rho0, t, max_work=float("inf"), max_memory=float("inf"))
    assert out.shape == (11, 3, 3)


def test_nonuniform_grid_in_small_chunks_matches_one_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    from numerics.density_matrix import _propagator

    rng = np.random.default_rng(12)
    H, Ls, r0 = _system(rng, 3)
    t = np.cumsum(np.r_[0, rng.uniform(0.05, 0.2, 40)])
    whole, info = lindblad_evolve(H, Ls, r0, t, method="propagator", return_info=True)
    monkeypatch.setattr(_propagator, "CHUNK_BYTES", 16 * 6 * 81 * 3)  # three intervals per chunk
    parts, info2 = lindblad_evolve(H, Ls, r0, t, method="propagator", return_info=True)
    np.testing.assert_allclose(parts, whole, atol=1e-14)
    np.testing.assert_allclose(info2["error_bound"], info["error_bound"], rtol=0.1)  # the scaling s depends on the chunk
