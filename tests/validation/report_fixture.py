"""Test helper: lay out the hand-made results file of ``data/report_results.json`` with its
figure and sidecar arrays, as ``theorycheck run --json --plots`` would leave them."""

from __future__ import annotations

import os
import shutil

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "report_results.json")
#: names and verdicts of the fixture's results, in file order
FIXTURE = [
    ("edgeworth.density.exp", "edgeworth", "PASS"),
    ("wide_networks.kurtosis.relu", "wide_networks", "FAIL"),
    ("ntk.gradient_flow.mse", "ntk", "ERROR"),
    ("density_matrix.qubit.decay", "density_matrix", "PASS"),
]


def make_results_dir(root: str) -> str:
    """Copy the fixture into ``root`` with a PNG figure and an ``.npz`` sidecar; return the results path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(os.path.join(root, "plots"), exist_ok=True)
    os.makedirs(os.path.join(root, "results.arrays"), exist_ok=True)
    path = os.path.join(root, "results.json")
    shutil.copyfile(DATA, path)
    fig, ax = plt.subplots(figsize=(4, 3))
    x = np.linspace(-3, 3, 61)
    ax.plot(x, np.exp(-x * x / 2) / np.sqrt(2 * np.pi), label="prediction")
    ax.legend()
    fig.savefig(os.path.join(root, "plots", "edgeworth.density.exp.png"), dpi=60)
    plt.close(fig)
    np.savez_compressed(os.path.join(root, "results.arrays", "edgeworth.density.exp.npz"),
                        a0=np.arange(5000.0), a1=np.ones((100, 60)))
    return path
