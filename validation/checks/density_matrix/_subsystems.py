"""Subsystems and measurements: entanglement entropy of reduced states, Born-rule statistics."""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np
import sympy as sp
from scipy.stats import unitary_group

from numerics.estimate import Estimate, as_generator
from numerics.density_matrix import partial_trace, sample_measurement, von_neumann_entropy
from theory.density_matrix import bloch_density_matrix, entanglement_entropy, povm_probabilities
from validation.check import Check, Prediction
from validation.checks.density_matrix._models import register as _register
from validation.checks.density_matrix._models import SX, SY, SZ, trine_effects
from validation.stats import Comparison, compare_distribution, compare_point

__all__: list[str] = []


# ---- reduced state of an entangled pure state ----------------------------------------------------
def _ent_predict(p: Mapping[str, Any]) -> Prediction:
    lam = [sp.nsimplify(v) for v in p["schmidt"]]
    S = float(sp.N(entanglement_entropy(lam), 30))
    return Prediction(np.array([S, S]), 0.0, summary=f"S(rho_A) = S(rho_B) = -sum l ln l = {S:.12g}")


def _ent_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    """Schmidt state dressed by seeded Haar-random local unitaries, partial traces, entropies."""
    t0 = time.perf_counter()
    lam = np.asarray(p["schmidt"], float)
    dA, dB = int(p["dA"]), int(p["dB"])
    rng = as_generator(seed)
    UA = unitary_group.rvs(dA, random_state=rng)
    UB = unitary_group.rvs(dB, random_state=rng)
    C = np.zeros((dA, dB), complex)  # psi = sum_k sqrt(l_k) |k>|k>, coefficient matrix C_ab
    C[np.arange(lam.size), np.arange(lam.size)] = np.sqrt(lam)
    C = UA @ C @ UB.T
    psi = C.ravel()
    rho = np.outer(psi, psi.conj())
    S = np.array([von_neumann_entropy(partial_trace(rho, [dA, dB], [0])),
                  von_neumann_entropy(partial_trace(rho, [dA, dB], [1]))])
    # rounding: eigenvalue errors ~ d eps perturb S by <= sum_k |ln l_k + 1| d eps (first-order perturbation)
    se = (dA * dB) * np.finfo(float).eps * float(np.sum(np.abs(np.log(lam[lam > 0]) + 1)))
    return Estimate(S, np.full(2, se), 1, seed, time.perf_counter() - t0, "rounding-bound")


def _ent_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha)


_register(Check(
    "density_matrix.entanglement_entropy", "density_matrix",
    "Partial traces of a locally rotated Schmidt state: S(rho_A) = S(rho_B) = entanglement entropy",
    _ent_predict, _ent_measure, _ent_compare,
    quick={"schmidt": [0.5, 0.3, 0.2], "dA": 3, "dB": 4},
    full={"schmidt": [0.4, 0.3, 0.2, 0.1], "dA": 4, "dB": 6},
))


# ---- Born rule: sampled POVM outcomes vs tr(E_k rho) ----------------------------------------------
def _effects_sym() -> list[sp.Matrix]:
    out = []
    for k in range(3):
        v = sp.Matrix([sp.cos(k * sp.pi / 3), sp.sin(k * sp.pi / 3)])
        out.append(sp.Rational(2, 3) * v * v.T)
    return out


def _born_predict(p: Mapping[str, Any]) -> Prediction:
    r = [sp.nsimplify(v) for v in p["bloch"]]
    probs = np.array([float(sp.N(q, 30)) for q in povm_probabilities(bloch_density_matrix(*r), _effects_sym())])
    cum = np.cumsum(probs)

    def cdf(x: np.ndarray) -> np.ndarray:
        idx = np.floor(np.asarray(x, float)).astype(int)
        return np.where(idx < 0, 0.0, cum[np.clip(idx, 0, cum.size - 1)])

    return Prediction(cdf, 0.0, summary={"probabilities": probs.tolist()}, extra={"probabilities": probs})


def _born_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    x, y, z = p["bloch"]
    rho = 0.5 * (np.eye(2) + x * SX + y * SY + z * SZ)
    k = sample_measurement(rho, trine_effects(), int(p["shots"]), seed=seed)
    counts = np.bincount(k, minlength=3).astype(float)
    n = counts.sum()
    freq = counts / n
    return Estimate(freq, np.sqrt(np.maximum(freq * (1 - freq), 1e-300) / n), int(n), seed, time.perf_counter() - t0,
                    "analytic", {"counts": counts})


def _born_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    # outcomes 0, 1, 2 binned by edges 0.5, 1.5: Pearson chi-square on 2 degrees of freedom
    return compare_distribution(pred.value, None, bins=[0.5, 1.5], counts=est.diagnostics["counts"], alpha=alpha)


_register(Check(
    "density_matrix.born_rule", "density_matrix",
    "Trine-POVM outcomes sampled by the Born rule vs tr(E_k rho) (chi-square)",
    _born_predict, _born_measure, _born_compare,
    quick={"bloch": [0.3, 0.2, 0.6], "shots": 100_000},
    full={"shots": 2_000_000},
))
