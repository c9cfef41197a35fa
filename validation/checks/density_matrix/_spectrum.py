r"""The Liouvillian spectrum: symbolic eigenvalues (sympy) against numpy's eigenvalues of the numeric superoperator.

Deterministic.  Tolerance by the Bauer-Fike theorem (Bauer & Fike, Numer. Math. 2 (1960) 137): every
eigenvalue of :math:`\mathcal L + E` lies within :math:`\kappa_2(V)\|E\|_2` of an eigenvalue of the diagonalisable
:math:`\mathcal L = V\Lambda V^{-1}`.  Here :math:`E` is (i) the rounding of the model's entries and of building the
superoperator, :math:`|E_{\rm in}| \le (2\epsilon + \tilde\gamma_{NK+K+6})\,\mathcal L_{\rm abs}` entrywise
(:math:`\mathcal L_{\rm abs}` the superoperator formula on absolute values; Higham 2002, sec. 3.5-3.6), and
(ii) the QR algorithm's backward error, :math:`\|E_{\rm QR}\|_2 \le p(n)\,u\,\|\hat{\mathcal L}\|_2` with
:math:`p(n) = n` (the convention of the LAPACK Users' Guide, 3rd ed. 1999, sec. 4.8); :math:`\kappa_2(V)` is taken
from the computed eigenvectors.  Predicted eigenvalues are evaluated at 30 digits and rounded once.
Eigenvalues are paired by the assignment of least total distance before comparing (they are
sorted the same way only by accident), and the plot shows the pairs.

Power: the tolerance is about 1e-14; the twins (a rate 3% off) move an eigenvalue by about 1e-2.
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np
import sympy as sp
from scipy.optimize import linear_sum_assignment

from numerics.density_matrix import liouvillian_matrix
from numerics.estimate import Estimate
from theory.density_matrix import liouvillian_spectrum
from validation.check import Check, Display, Prediction, Twin
from validation.checks.density_matrix._common import U, cached, register, scaled
from validation.checks.density_matrix._plots import plot_spectrum
from validation.params import Param
from validation.stats import Comparison, compare_tolerance
from validation.systems._lindblad import (
    ENTRY_ROUNDING,
    amplitude_damping,
    rabi_dephasing,
)

__all__: list[str] = []

_SOURCE = ("Bauer-Fike: kappa_2(V) (||E_in||_F + n u ||L||_2), E_in = entry rounding of the model and of the "
           "superoperator's construction (2 eps + gamma_{NK+K+6}) |L|_abs, n u ||L|| the QR backward error "
           "(LAPACK Users' Guide 4.8); prediction rounded once from 30 digits")


def _model(p: Mapping[str, Any]) -> Any:
    if p["model"] == "amplitude_damping":
        return amplitude_damping(p["w"], p["gamma"], p["g"])
    return rabi_dephasing(p["w"], p["g"])


def _canonical(ev: np.ndarray) -> np.ndarray:
    ev = np.asarray(ev, complex)
    return ev[np.lexsort((ev.imag, ev.real))]


@cached
def _spec_predict(p: Mapping[str, Any]) -> Prediction:
    m = _model(p)
    spec = liouvillian_spectrum(m.H, list(m.jump_ops))
    ev = _canonical(np.array([complex(sp.N(k, 30)) for k, mult in spec.items() for _ in range(mult)]))
    val = np.column_stack([ev.real, ev.imag])
    return Prediction(val, U * np.abs(val) + 1e-29, summary=[f"{e:.6g}" for e in ev])


def _abs_superop(H: np.ndarray, Ls: list[np.ndarray]) -> np.ndarray:
    n = H.shape[0]
    eye = np.eye(n)
    A = np.kron(eye, np.abs(H)) + np.kron(np.abs(H).T, eye)
    for L in Ls:
        K = np.abs(L).T @ np.abs(L)
        A = A + np.kron(np.abs(L), np.abs(L)) + 0.5 * np.kron(eye, K) + 0.5 * np.kron(K.T, eye)
    return A


def _spec_measure(p: Mapping[str, Any], seed: int) -> Estimate:
    t0 = time.perf_counter()
    m = _model(p)
    H, Ls, _ = m.numeric()
    L = liouvillian_matrix(H, Ls)
    ev, V = np.linalg.eig(L)
    order = np.lexsort((ev.imag, ev.real))
    n, K, d = H.shape[0], len(Ls), L.shape[0]
    k = (n * K + K + 6 + 2) * U
    gam = np.sqrt(2) * k / (1 - k)
    e_in = (2 * ENTRY_ROUNDING + gam) * np.linalg.norm(_abs_superop(H, Ls)) * (1 + 1e-6)
    cond = float(np.linalg.cond(V))
    tol = cond * (e_in + d * U * np.linalg.norm(L, 2))
    ev = ev[order]
    return Estimate(np.column_stack([ev.real, ev.imag]), 0.0, 1, seed, time.perf_counter() - t0, "deterministic",
                    {"tolerance": np.full(ev.size, tol), "tolerance_source": _SOURCE, "cond_V": cond})


def _spec_compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    pa, pb = np.asarray(pred.value, float), np.asarray(est.value, float)
    if pa.shape != pb.shape:
        return Comparison("tolerance", float("inf"), None, alpha, False,
                          {"reason": f"{len(pa)} predicted vs {len(pb)} measured eigenvalues"}, kind="deterministic")
    a, b = pa[:, 0] + 1j * pa[:, 1], pb[:, 0] + 1j * pb[:, 1]
    r, c = linear_sum_assignment(np.abs(a[:, None] - b[None, :]))
    tol = np.asarray(est.diagnostics["tolerance"], float)[c]
    # |z - w| <= tol for each matched pair (Bauer-Fike discs): compare the distance, not the parts separately
    dist = np.abs(a[r] - b[c])
    trunc = np.hypot(*np.asarray(pred.truncation, float)[r].T)
    cmp = compare_tolerance(np.zeros_like(dist), dist, tol, truncation=trunc, alpha=alpha,
                            source=est.diagnostics["tolerance_source"])
    cmp.details.update({"matched_prediction": pa[r].tolist(), "matched_measurement": pb[c].tolist(),
                        "distances": dist.tolist()})
    return cmp


register(Check(
    "density_matrix.liouvillian_spectrum", "density_matrix",
    "Symbolic Liouvillian eigenvalues (sympy) vs numpy eigenvalues of the numeric superoperator (Bauer-Fike tolerance)",
    _spec_predict, _spec_measure, _spec_compare,
    quick={"model": "amplitude_damping", "w": 2.0, "gamma": 0.7, "g": 0.3},
    full={"model": "rabi", "w": 1.5, "g": 0.8},
    schema={"model": Param("str", "which qubit model: amplitude damping + dephasing, or Rabi + dephasing",
                           choices=("amplitude_damping", "rabi")),
            "w": Param("float", "frequency (precession w/2 sigma_z, or Rabi drive w/2 sigma_x)"),
            "gamma": Param("float", "amplitude-damping rate (amplitude_damping model only)", minimum=0.0),
            "g": Param("float", "dephasing rate (L = sqrt(g/2) sigma_z)", minimum=0.0)},
    twins=(Twin("gamma_x1.03", "amplitude-damping rate gamma 3% too large (Rabi model: dephasing rate g 3% too large)",
                lambda p: _spec_predict(scaled(p, "gamma" if p["model"] == "amplitude_damping" else "g", 1.03))),
           Twin("w_x1.02", "frequency w 2% too large", lambda p: _spec_predict(scaled(p, "w", 1.02)))),
    display=Display("Liouvillian eigenvalue", kind="spectrum", unit="1/time"),
    deterministic=True, plot=plot_spectrum,
))
