"""numerics.density_matrix: Lindblad evolution against QuTiP and between methods; channels, entropies, sampling."""

from __future__ import annotations


import numpy as np
import pytest
import torch

from numerics.density_matrix import (
    apply_kraus,
    born_probabilities,
    choi_matrix,
    fidelity,
    liouvillian_matrix,
    lindblad_evolve,
    partial_trace,
    purity,
    sample_measurement,
    trace_distance,
    von_neumann_entropy,
)


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
        assert info["method"] == "taylor" and info["error_estimate"] <= atol + 100 * atol


def test_auto_picks_method_by_size() -> None:
    rng = np.random.default_rng(3)
    for n, method in ((3, "propagator"), (14, "taylor")):
        H, Ls, r0 = _system(rng, n, k=1)
        _, info = lindblad_evolve(H, Ls, r0, [0.0, 0.5], return_info=True)
        assert info["method"] == method


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


def test_entropy_safe_and_partial_trace_against_qutip() -> None:
    qt = pytest.importorskip("qutip")
    rng = np.random.default_rng(10)
    psi = rng.normal(size=6) + 1j * rng.normal(size=6)
    psi /= np.linalg.norm(psi)
    rho = np.outer(psi, psi.conj())
    assert von_neumann_entropy(rho) == 0.0  # pure: exactly 0, never NaN
    assert von_neumann_entropy(np.diag([1.0, 0.0])) == 0.0
    assert von_neumann_entropy(np.eye(4) / 4) == pytest.approx(np.log(4), rel=1e-14)
    q = qt.Qobj(rho, dims=[[2, 3], [2, 3]])
    for keep in ([0], [1]):
        np.testing.assert_allclose(partial_trace(rho, [2, 3], keep), q.ptrace(keep).full(), atol=1e-15)
    sA = von_neumann_entropy(partial_trace(rho, [2, 3], [0]))
    assert sA == pytest.approx(qt.entropy_vn(q.ptrace(0)), rel=1e-12)
    assert sA == pytest.approx(von_neumann_entropy(partial_trace(rho, [2, 3], [1])), rel=1e-10)  # Araki-Lieb equality
    batched = partial_trace(np.array([rho, rho]), [2, 3], [0])
    assert batched.shape == (2, 2, 2)


def test_channels_fidelity_distance() -> None:
    p = 0.3
    K = [np.sqrt(1 - p) * np.eye(2), np.sqrt(p) * np.diag([1.0, -1.0])]
    rho = np.array([[0.6, 0.3 - 0.1j], [0.3 + 0.1j, 0.4]])
    out = apply_kraus(K, rho)
    np.testing.assert_allclose(out, [[0.6, (1 - 2 * p) * (0.3 - 0.1j)], [(1 - 2 * p) * (0.3 + 0.1j), 0.4]], atol=1e-15)
    J = choi_matrix(K)
    assert np.linalg.eigvalsh(J).min() > -1e-14
    np.testing.assert_allclose(partial_trace(J, [2, 2], [0]), np.eye(2), atol=1e-15)
    assert purity(out) < purity(rho)
    assert fidelity(rho, rho) == pytest.approx(1.0, abs=1e-12)
    assert trace_distance(rho, rho) == pytest.approx(0.0, abs=1e-15)
    assert trace_distance(np.diag([1.0, 0]), np.diag([0, 1.0])) == pytest.approx(1.0)
    qt = pytest.importorskip("qutip")
    sig = np.diag([0.8, 0.2])
    assert fidelity(rho, sig) == pytest.approx(qt.fidelity(qt.Qobj(rho), qt.Qobj(sig)) ** 2, rel=1e-10)


def test_born_sampling_reproducible_and_checked() -> None:
    rho = np.diag([0.25, 0.75]).astype(complex)
    E = [np.diag([1.0, 0.0]), np.diag([0.0, 1.0])]
    np.testing.assert_allclose(born_probabilities(rho, E), [0.25, 0.75])
    a = sample_measurement(rho, E, 1000, seed=1)
    b = sample_measurement(rho, E, 1000, seed=1)
    np.testing.assert_array_equal(a, b)
    assert 150 < (a == 0).sum() < 350
    with pytest.raises(ValueError, match="identity"):
        born_probabilities(rho, [np.diag([1.0, 0.0])])
    with pytest.raises(ValueError, match="shots"):
        sample_measurement(rho, E, 0, seed=1)
    with pytest.raises(ValueError, match="seed"):
        sample_measurement(rho, E, 10, seed=None)  # type: ignore[arg-type]
