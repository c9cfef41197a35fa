"""Trajectory PCA: Gram route vs dense SVD vs randomised SVD vs streaming sketch; memmap storage."""


import numpy as np
import pytest
import torch

from numerics.trajectories import TrajectoryRecorder, random_walks, time_gram, trajectory_pca


def test_gram_pca_matches_dense_svd_and_chunking() -> None:
    X = random_walks(30, 500, 3, seed=0)
    pca = trajectory_pca(X, 4, chunk=37)
    Xc = (X - X.mean(1, keepdim=True)).numpy()
    for r in range(3):
        s = np.linalg.svd(Xc[r], compute_uv=False)
        np.testing.assert_allclose(pca.explained_variance[r], s[:4] ** 2, rtol=1e-9)
        np.testing.assert_allclose(pca.explained_variance_ratio[r], s[:4] ** 2 / np.sum(s**2), rtol=1e-9)
    np.testing.assert_allclose(time_gram(X, chunk=7), time_gram(X, chunk=10_000), rtol=1e-10)


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
