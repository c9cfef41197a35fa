"""numerics.density_matrix: channels, subsystems, entropies, distances, Born-rule sampling; state checks; no views."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from numerics.density_matrix import (
    apply_kraus,
    born_probabilities,
    choi_matrix,
    fidelity,
    lindblad_evolve,
    liouvillian_matrix,
    partial_trace,
    purity,
    sample_measurement,
    trace_distance,
    von_neumann_entropy,
)


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
    with pytest.raises(TypeError, match="seed"):
        sample_measurement(rho, E, 10, seed=None)  # type: ignore[arg-type]


# ---- non-states are refused, naming the property (regressions: these used to return numbers) ----------
def test_fidelity_of_a_non_state_raises() -> None:
    """fidelity(I, I/2) used to return 2.0."""
    with pytest.raises(ValueError, match="unit trace"):
        fidelity(np.eye(2), np.eye(2) / 2)
    assert fidelity(np.eye(2) / 2, np.eye(2) / 2) == pytest.approx(1.0)


def test_born_probabilities_of_a_non_psd_matrix_raise() -> None:
    """born_probabilities(diag(1.5, -0.5), Z basis) used to return [1.5, -0.5]."""
    E = [np.diag([1.0, 0.0]), np.diag([0.0, 1.0])]
    with pytest.raises(ValueError, match="positive semidefinite"):
        born_probabilities(np.diag([1.5, -0.5]), E)
    with pytest.raises(ValueError, match="effects must be positive semidefinite"):
        born_probabilities(np.eye(2) / 2, [np.diag([1.5, 0.0]), np.diag([-0.5, 1.0])])
    with pytest.raises(ValueError, match="effects must be Hermitian"):
        born_probabilities(np.eye(2) / 2, [np.array([[0.5, 0.5], [0, 0.5]]), np.array([[0.5, -0.5], [0, 0.5]])])


def test_entropy_of_a_non_psd_matrix_raises() -> None:
    """The entropy of diag(1.5, -0.5) used to be returned as 0."""
    with pytest.raises(ValueError, match="positive semidefinite"):
        von_neumann_entropy(np.diag([1.5, -0.5]))
    with pytest.raises(ValueError, match="Hermitian"):
        von_neumann_entropy(np.array([[0.5, 0.3], [0.0, 0.5]]))
    with pytest.raises(ValueError, match="unit trace"):
        purity(np.eye(3))
    with pytest.raises(ValueError, match="unit trace"):
        trace_distance(np.eye(2), np.eye(2) / 2)
    with pytest.raises(ValueError, match="positive semidefinite"):
        sample_measurement(np.diag([1.5, -0.5]), [np.diag([1.0, 0.0]), np.diag([0.0, 1.0])], 10, seed=0)
    # a batch is checked member by member
    with pytest.raises(ValueError, match="positive semidefinite"):
        von_neumann_entropy(np.array([np.eye(2) / 2, np.diag([1.5, -0.5])]))


# ---- results are never views of the inputs ----------------------------------------------------------
def _shares(out: object, inputs: list[object]) -> bool:
    o = out if isinstance(out, torch.Tensor) else torch.as_tensor(np.asarray(out))
    for x in inputs:
        xs = x if isinstance(x, torch.Tensor) else None
        if xs is not None and o.untyped_storage().data_ptr() == xs.untyped_storage().data_ptr():
            return True
        if isinstance(x, np.ndarray) and isinstance(out, np.ndarray) and np.shares_memory(out, x):
            return True
    return False


@pytest.mark.parametrize("kind", ["numpy", "torch"])
def test_no_result_is_a_view_of_an_input(kind: str) -> None:
    """Regression: partial_trace keeping every subsystem returned the caller's tensor (a view)."""
    conv = (lambda a: torch.tensor(a, dtype=torch.complex128)) if kind == "torch" else (lambda a: np.array(a, complex))
    rho = conv(np.diag([0.5, 0.25, 0.125, 0.125]))
    out = partial_trace(rho, [2, 2], [0, 1])
    assert not _shares(out, [rho])
    out[0, 0] = 7.0
    assert rho[0, 0] == 0.5  # writing to the result leaves the input alone
    K = [conv(np.eye(4))]
    for res, ins in ((apply_kraus(K, rho), [rho, K[0]]), (choi_matrix(K), [K[0]]),
                     (liouvillian_matrix(conv(np.zeros((4, 4))), []), [])):
        assert not _shares(res, ins)
    evo = lindblad_evolve(conv(np.zeros((4, 4))), [], rho, [0.0])
    assert not _shares(evo, [rho])
    evo[..., 0, 0] = 3.0
    assert rho[0, 0] == 0.5
