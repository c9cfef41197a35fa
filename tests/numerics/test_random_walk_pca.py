"""Trajectory PCA: Gram route vs dense SVD vs randomised solver vs streaming sketch; memmap storage; pooled PCA."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings

from numerics.random_walk import (
    TrajectoryRecorder,
    pooled_pca,
    random_walks,
    time_gram,
    trajectory_pca,
    walk_covariance,
)
from validation.strategies import trajectories


def test_gram_pca_matches_dense_svd_and_chunking() -> None:
    X = random_walks(30, 500, 3, seed=0)
    pca = trajectory_pca(X, 4, chunk=37)
    Xc = (X - X.mean(1, keepdim=True)).numpy()
    for r in range(3):
        s = np.linalg.svd(Xc[r], compute_uv=False)
        np.testing.assert_allclose(pca.explained_variance[r], s[:4] ** 2, rtol=1e-9)
        np.testing.assert_allclose(pca.explained_variance_ratio[r], s[:4] ** 2 / np.sum(s**2), rtol=1e-9)
    np.testing.assert_allclose(time_gram(X, chunk=7), time_gram(X, chunk=10_000), rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(X=trajectories(drift=True, max_batch=2))
def test_pca_of_drawn_trajectories_matches_numpy_svd(X: np.ndarray) -> None:
    k = min(2, X.shape[1] - 1)
    pca = trajectory_pca(X, k, chunk=5)
    for r in range(X.shape[0]):
        Xc = X[r] - X[r].mean(0)
        u, s, _ = np.linalg.svd(Xc, full_matrices=False)
        s2 = np.pad(s**2, (0, k))
        np.testing.assert_allclose(pca.explained_variance_ratio[r], s2[:k] / s2.sum(), atol=1e-9)
        for j in range(k):  # components are unit time courses (up to sign) where the eigenvalue is simple
            if s2[j] > 0 and abs(s2[j] - s2[j + 1]) > 1e-6 * s2[0] and (j == 0 or abs(s2[j - 1] - s2[j]) > 1e-6 * s2[0]):
                assert abs(abs(pca.components[r, j] @ u[:, j]) - 1) < 1e-6


def test_randomized_matches_exact() -> None:
    X = random_walks(80, 2000, 2, seed=1)
    a = trajectory_pca(X, 3)
    b = trajectory_pca(X, 3, method="randomized", chunk=300, seed=5)
    np.testing.assert_allclose(b.explained_variance_ratio, a.explained_variance_ratio, rtol=1e-6)
    np.testing.assert_allclose(np.abs(np.sum(a.components * b.components, -1)), 1.0, atol=1e-6)


def test_recorder_store_memmap_and_sketch(tmp_path) -> None:  # noqa: ANN001
    X = random_walks(40, 3000, 2, seed=2, dtype=torch.float32)
    store = TrajectoryRecorder(3000, 40, batch=2, path=str(tmp_path / "traj.npy"), chunk=512)
    sketch = TrajectoryRecorder(3000, 40, batch=2, mode="sketch", sketch_dim=2000, chunk=512, seed=3)
    for t in range(40):
        store.record(X[:, t])
        sketch.record(X[:, t])
    exact = trajectory_pca(X, 2).explained_variance_ratio
    np.testing.assert_allclose(store.pca(2).explained_variance_ratio, exact, rtol=1e-4)
    # Johnson-Lindenstrauss: relative error ~ sqrt(2/m) = 0.03
    np.testing.assert_allclose(sketch.pca(2).explained_variance_ratio, exact, rtol=0.15)
    with pytest.raises(ValueError, match="full"):
        store.record(X[:, 0])


def test_walk_covariance_is_the_expected_gram() -> None:
    X = random_walks(8, 20000, 1, seed=4)[0].numpy()
    Xc = X - X.mean(0)
    np.testing.assert_allclose(Xc @ Xc.T / 20000, walk_covariance(8), atol=0.05 * walk_covariance(8).max())


def test_pooled_pca_jackknife_on_gaussian_walks() -> None:
    """Pooled ratios of R walks estimate the walk's exact ratios; the jackknife error is honest (z-scores ~ N(0,1))."""
    M = walk_covariance(12)
    w = np.linalg.eigvalsh(M)[::-1]
    exact = w[:3] / w.sum()
    z = []
    for seed in range(12):
        p = pooled_pca(random_walks(12, 5, 60, seed=seed), 3)
        assert p.members == 60 and p.components.shape == (3, 12)
        z.append((p.explained_variance_ratio - exact) / p.stderr)
    z = np.array(z)
    assert np.all(np.abs(z) < 5)
    assert 0.4 < z.std() < 1.8  # the jackknife standard error is of the right size


def test_pooled_pca_removes_the_finite_dimension_bias() -> None:
    """With d = 2 per walk the plug-in pooled ratio is biased by O(1/(R d)); the jackknife removes it."""
    M = walk_covariance(6)
    w = np.linalg.eigvalsh(M)[::-1]
    exact = w[0] / w.sum()
    jack, plug = [], []
    walks = random_walks(6, 2, 8 * 2000, seed=11).reshape(2000, 8, 6, 2)
    for group in walks:
        p = pooled_pca(group, 1)
        jack.append(p.explained_variance_ratio[0])
        plug.append(p.plugin[0])
    se = np.std(jack) / np.sqrt(len(jack))
    assert abs(np.mean(jack) - exact) < 4 * se
    assert np.mean(plug) - exact > 4 * np.std(plug) / np.sqrt(len(plug))  # the plug-in is visibly biased


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="n_components"):
        trajectory_pca(torch.zeros(2, 5, 3) + torch.arange(5.0)[None, :, None], 5)
    with pytest.raises(ValueError, match="method"):
        trajectory_pca(torch.randn(5, 3), 1, method="svd?")
    with pytest.raises(ValueError, match="non-finite"):
        time_gram(torch.full((4, 3), float("nan")))
    r = TrajectoryRecorder(3, 4)
    with pytest.raises(ValueError, match="shape"):
        r.record(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="T"):
        random_walks(1, 3, seed=0)
    with pytest.raises(ValueError, match="R >= 3"):
        pooled_pca(np.ones((2, 4, 3)), 1)


def test_no_silent_coercion_regressions() -> None:
    """Regressions: seeds, bools and floats were coerced (int(2.5) = 2, True = 1) and a numpy theta crashed."""
    with pytest.raises(TypeError, match="seed"):
        random_walks(5, 3, seed=2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="sigma"):
        random_walks(5, 3, seed=0, sigma=True)
    with pytest.raises(TypeError, match="T"):
        random_walks(5.0, 3, seed=0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="seed"):
        trajectory_pca(np.ones((4, 3)) * np.arange(4.0)[:, None], 1, method="randomized", seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="center"):
        time_gram(np.ones((4, 3)), center=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="seed"):
        TrajectoryRecorder(3, 4, seed=0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="theta"):
        TrajectoryRecorder(3, 4).record(np.zeros(3))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="shape"):  # was a RuntimeError from reshape
        TrajectoryRecorder(3, 4, batch=2).record(torch.zeros(3))


def test_recorded_trajectory_is_read_only_and_inputs_untouched() -> None:
    r = TrajectoryRecorder(3, 4)
    theta = torch.ones(3)
    r.record(theta)
    with pytest.raises(ValueError):
        r.trajectory[0, 0, 0] = 5.0
    X = np.cumsum(np.ones((2, 5, 3)), axis=1)
    before = X.copy()
    trajectory_pca(X, 2)
    pooled_pca(np.stack([X[0]] * 3), 1)
    np.testing.assert_array_equal(X, before)
