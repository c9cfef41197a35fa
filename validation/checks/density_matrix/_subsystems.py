r"""Subsystems and measurements: entanglement entropy of reduced states (deterministic), Born-rule statistics.

``entanglement_entropy`` (deterministic): a Schmidt state :math:`\sum_k\sqrt{\lambda_k}|k\rangle|k\rangle` dressed by seeded
Haar-random local unitaries (Mezzadri, Notices AMS 54 (2007) 592), partial traces, von Neumann entropies;
both reduced states have the entropy :math:`-\sum_k\lambda_k\ln\lambda_k` (Nielsen & Chuang 2000, thm. 2.7, sec. 11.3).
Tolerance, by rounding analysis (Higham 2002, ch. 3): the computed coefficient matrix
:math:`\hat C = \hat U_A C_0\hat U_B^T + \Delta C` has singular values within the factors
:math:`\sqrt{(1\pm\epsilon_A)(1\pm\epsilon_B)}` (:math:`\epsilon = \|\hat U^\dagger\hat U - I\|_2`, measured) and
:math:`\|\Delta C\|_2 \le 2\tilde\gamma_d\sqrt{d_Ad_B}\max_k\sqrt{\lambda_k}` of :math:`\sqrt{\lambda_k}`; the partial trace adds
:math:`\tilde\gamma_{d+2}\|C\|_F^2` and the eigensolver its backward error :math:`n u\|\rho\|_2` (LAPACK Users' Guide
sec. 4.7 convention); Weyl's inequality turns these into eigenvalue shifts :math:`\eta_k`, and the mean-value
theorem into :math:`|\Delta S| \le \sum_k \eta_k\max_{|\xi-\lambda_k|\le\eta_k}|\ln\xi + 1|` (zero eigenvalues stay below
the 1e-12 cut-off and contribute exactly 0).  Power: about 1e-14 against the twin's 1e-2.

``born_rule`` (statistical): trine-POVM outcomes sampled by the Born rule against :math:`\mathrm{tr}(E_k\rho)`,
Pearson chi-square on 2 degrees of freedom (Pearson 1900).  Power: with :math:`10^6` shots the twins
(Bloch :math:`z` 3% low, :math:`x` 5% high) have non-centralities about 160 and 190, against a critical
value of about 18 at :math:`\alpha = 10^{-4}`: they fail at every seed.
"""

from __future__ import annotations

import math
import time
from typing import Any, Mapping

import numpy as np
import sympy as sp
from scipy.stats import unitary_group

from numerics.density_matrix import (
    partial_trace,
    sample_measurement,
    von_neumann_entropy,
)
from numerics.estimate import Estimate, as_generator
from theory.density_matrix import entanglement_entropy, povm_probabilities
from validation.check import Check, Display, Prediction, Twin
from validation.checks.density_matrix._common import (
    U,
    cached,
    register,
    tolerance_compare,
)
from validation.checks.density_matrix._plots import plot_born, plot_points
from validation.params import Param
from validation.stats import Comparison, compare_distribution
from validation.systems._lindblad import exact, qubit_state, to_numpy, trine_povm

__all__: list[str] = []

_CUTOFF = 1e-12
_ENT_SOURCE = ("rounding analysis: singular values of the rotated coefficient matrix (measured unitarity defect, "
               "product rounding), partial-trace rounding and the eigensolver's backward error n u ||rho|| as "
               "eigenvalue shifts (Weyl), mean-value bound on -l ln l; prediction rounded once from 30 digits")


def _gamma(m: int) -> float:
    k = (m + 2) * U
    return math.sqrt(2) * k / (1 - k)


# ---- reduced states of an entangled pure state ---------------------------------------------------
@cached
def _ent_predict(p: Mapping[str, Any]) -> Prediction:
    lam = [exact(v, "schmidt") for v in p["schmidt"]]
    S = float(sp.N(entanglement_entropy(lam), 30))
    return Prediction(np.array([S, S]), U * S + 1e-29, summary=f"S(rho_A) = S(rho_B) = -sum l ln l = {S:.12g}")


def _entropy_shift(lam: np.ndarray, eta: np.ndarray) -> float:
    total = 0.0
    for l, e in zip(lam, eta):
        lo, hi = max(l - e, 1e-300), l + e
        total += e * max(abs(math.log(lo) + 1), abs(math.log(hi) + 1))
    return total


def _ent_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    """Schmidt state dressed by seeded Haar-random local unitaries, partial traces, entropies."""
    t0 = time.perf_counter()
    lam = np.asarray(p["schmidt"], float)
    dA, dB = int(p["dA"]), int(p["dB"])
    if lam.size > min(dA, dB):
        raise ValueError(f"{lam.size} Schmidt coefficients need dA, dB >= {lam.size}")
    rng = as_generator(seed)
    UA = unitary_group.rvs(dA, random_state=rng)
    UB = unitary_group.rvs(dB, random_state=rng)
    C = np.zeros((dA, dB), complex)  # psi = sum_k sqrt(l_k) |k>|k>, coefficient matrix C_ab
    C[np.arange(lam.size), np.arange(lam.size)] = np.sqrt(lam)
    C = UA @ C @ UB.T
    psi = C.ravel()
    rho = np.outer(psi, psi.conj())
    S = np.array([von_neumann_entropy(partial_trace(rho, [dA, dB], [0]), cutoff=_CUTOFF),
                  von_neumann_entropy(partial_trace(rho, [dA, dB], [1]), cutoff=_CUTOFF)])
    # eigenvalue shifts (Weyl): singular values of C, then rho_A = C C^dagger, then the eigensolver
    eA = float(np.linalg.norm(UA.conj().T @ UA - np.eye(dA), 2))
    eB = float(np.linalg.norm(UB.conj().T @ UB - np.eye(dB), 2))
    dC = 2 * _gamma(max(dA, dB)) * math.sqrt(dA * dB) * float(np.sqrt(lam.max()))
    s = np.sqrt(lam)
    hi = s * math.sqrt((1 + eA) * (1 + eB)) * (1 + 2 * U) + dC
    lo = np.maximum(s * math.sqrt(max((1 - eA) * (1 - eB), 0.0)) * (1 - 2 * U) - dC, 0.0)
    e_sv = np.maximum(hi**2 - lam, lam - lo**2)
    e_tr = _gamma(max(dA, dB) + 2) * float(np.sum(np.abs(C) ** 2)) + max(dA, dB) * U * 1.0
    eta = e_sv + e_tr
    if e_tr + dC**2 >= _CUTOFF:
        raise ValueError("rounding reaches the entropy cut-off; the bound below does not apply")
    tol = _entropy_shift(lam, eta) + 4 * U * float(np.sum(np.abs(lam * np.log(lam)))) + lam.size * U
    return Estimate(S, 0.0, 1, seed, time.perf_counter() - t0, "deterministic",
                    {"tolerance": np.full(2, tol), "tolerance_source": _ENT_SOURCE, "unitarity_defect": max(eA, eB)})


def _ent_twin(p: Mapping[str, Any]) -> Prediction:
    lam = list(p["schmidt"])
    big = lam[0] * 1.04
    rest = [v * (1 - big) / (1 - lam[0]) for v in lam[1:]]
    return _ent_predict({**p, "schmidt": (big, *rest)})


def _schmidt(value: Any, name: str) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a tuple of probabilities; got {value!r}")
    vals = tuple(value)
    if any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in vals):
        raise TypeError(f"{name} must hold numbers; got {vals!r}")
    if len(vals) < 2 or any(x <= 0 for x in vals) or abs(sum(vals) - 1) > 1e-12:
        raise ValueError(f"{name} must be at least two positive probabilities summing to 1; got {vals}")
    return tuple(float(x) for x in vals)


register(Check(
    "density_matrix.entanglement_entropy", "density_matrix",
    "Partial traces of a locally rotated Schmidt state: S(rho_A) = S(rho_B) = entanglement entropy (deterministic)",
    _ent_predict, _ent_measure, tolerance_compare,
    quick={"schmidt": (0.5, 0.3, 0.2), "dA": 3, "dB": 4},
    full={"schmidt": (0.4, 0.3, 0.2, 0.1), "dA": 4, "dB": 6},
    schema={"schmidt": Param("any", "Schmidt probabilities lambda_k (positive, summing to 1)", check=_schmidt),
            "dA": Param("int", "dimension of subsystem A", minimum=2),
            "dB": Param("int", "dimension of subsystem B", minimum=2)},
    twins=(Twin("lambda0_x1.04", "largest Schmidt probability 4% too large (the others rescaled)", _ent_twin),),
    display=Display("von Neumann entropy", kind="point", unit="nats", labels=("S(rho_A)", "S(rho_B)")),
    deterministic=True, plot=plot_points,
))


# ---- Born rule: sampled POVM outcomes vs tr(E_k rho) ----------------------------------------------
@cached
def _born_predict(p: Mapping[str, Any]) -> Prediction:
    probs = np.array([float(sp.N(q, 30)) for q in povm_probabilities(qubit_state(p["bloch"]), list(trine_povm()))])
    cum = np.cumsum(probs)

    def cdf(x: np.ndarray) -> np.ndarray:
        idx = np.floor(np.asarray(x, float)).astype(int)
        return np.where(idx < 0, 0.0, cum[np.clip(idx, 0, cum.size - 1)])

    return Prediction(cdf, 0.0, summary={"probabilities": probs.tolist()}, extra={"probabilities": probs})


def _born_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    rho = to_numpy(qubit_state(p["bloch"]))
    k = sample_measurement(rho, [to_numpy(E) for E in trine_povm()], int(p["shots"]), seed=seed)
    counts = np.bincount(k, minlength=3).astype(float)
    n = counts.sum()
    freq = counts / n
    return Estimate(freq, np.sqrt(np.maximum(freq * (1 - freq), 1e-300) / n), int(n), seed, time.perf_counter() - t0,
                    "analytic", {"counts": counts})


def _born_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    # outcomes 0, 1, 2 binned by edges 0.5, 1.5: Pearson chi-square on 2 degrees of freedom
    return compare_distribution(pred.value, None, bins=[0.5, 1.5], counts=est.diagnostics["counts"], alpha=alpha)


def _bloch_twin(axis: int, factor: float) -> Any:
    def wrong(p: Mapping[str, Any]) -> Prediction:
        r = list(p["bloch"])
        r[axis] *= factor
        return _born_predict({**p, "bloch": tuple(r)})

    return wrong


register(Check(
    "density_matrix.born_rule", "density_matrix",
    "Trine-POVM outcomes sampled by the Born rule vs tr(E_k rho) (chi-square)",
    _born_predict, _born_measure, _born_compare,
    quick={"bloch": (0.3, 0.2, 0.6), "shots": 1_000_000},
    full={"shots": 20_000_000},
    schema={"bloch": Param("floats", "Bloch vector of the measured qubit state (length <= 1)", minimum=-1.0,
                           maximum=1.0, length=3),
            "shots": Param("int", "number of sampled measurement outcomes", minimum=100)},
    twins=(Twin("z_x0.97", "Bloch z-component 3% too small", _bloch_twin(2, 0.97)),
           Twin("x_x1.05", "Bloch x-component 5% too large", _bloch_twin(0, 1.05))),
    display=Display("outcome probability", kind="distribution", unit="probability", labels=("E_0", "E_1", "E_2")),
    plot=plot_born,
))
