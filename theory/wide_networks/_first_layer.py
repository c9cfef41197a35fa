r"""The first layer's preactivations, treated exactly for any parameter law.

For inputs :math:`x_a\in\mathbb R^d` the first layer's preactivations of one neuron are

.. math::

    z(x_a) = \sum_{j=1}^{d} A_{aj}\,w_j + c\,\beta,\qquad A = \sqrt{C_W^{(1)}/d}\;X,\quad c = \sqrt{C_b^{(1)}},

with iid standardised :math:`w_j` and :math:`\beta` (laws of :mod:`theory.wide_networks._laws`): a weighted sum
of :math:`d + 1` independent terms, whose cumulants add,
:math:`\kappa_k(z(x_a)) = \kappa_k(w)\sum_j A_{aj}^k + \kappa_k(\beta)c^k` (Kendall & Stuart, vol. 1, sec. 3.12).
With a small input dimension :math:`d` this law is far from Gaussian (its excess kurtosis is
:math:`k_w \sum_j A_{aj}^4/(\sum_j A_{aj}^2)^2` for zero bias, :math:`O(1/d)`), and the averages of the 1/width
recursion over it, :math:`E[\prod_c\sigma(z_c)^{p_c}\sigma'(z_c)^{q_c}]` for one input or a pair, are computed
over the exact law, not in an expansion in :math:`1/d`:

* every law Gaussian: the Gaussian averages (:class:`~theory.wide_networks._gauss_engine.GaussEngine`);
* every term with a quadrature rule (Gaussian: Gauss-Hermite, uniform: Gauss-Legendre, Rademacher: its two
  atoms) and at most :data:`TENSOR_LIMIT` / P nodes in the product rule: the tensor-product rule (exact for the
  discrete Rademacher terms; error: the difference to a rule of 2/3 the order in the continuous terms);
* one input and continuous laws (Gaussian, uniform, Student t): Fourier inversion of the product of the
  terms' characteristic functions on a grid of :data:`FFT_POINTS` (error: the difference to half the
  points), the density of a sum of two or more continuous terms being continuous;
* a pair of inputs and continuous laws: 2D Fourier inversion in whitened coordinates on
  :data:`FFT_PAIR_POINTS` squared points, kept when it agrees with half the points to
  :data:`FFT_PAIR_TOL` (a density with a jump along some direction -- few non-Gaussian terms there --
  does not, and falls back to the next method);
* otherwise randomised quasi-Monte Carlo with the Gaussian law as control variate:
  :math:`E_L f = E_G f + E[f(z_L) - f(z_G)]`, where :math:`z_L` and :math:`z_G` are the same scrambled Sobol'
  points mapped through the two laws' quantile functions (comonotone coupling, so the difference has a
  smaller variance), the Gaussian average exact (Rademacher weights: plain randomised QMC, which the
  coupling with a continuous law does not help); the error is the half-width of the
  :math:`1 - 10^{-4}` Student-t interval over :data:`REPLICATES` independent scramblings (Owen, 1997).

The scrambling seeds are fixed, so the result is a deterministic function of the arguments.

References: Owen, SIAM J. Numer. Anal. 34:1884 (1997) (scrambled nets and their variance); L'Ecuyer &
Lemieux (2002) (randomised QMC error estimates); Kendall & Stuart, *The Advanced Theory of Statistics*,
vol. 1 (cumulants of sums).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from scipy import special, stats
from scipy.stats import qmc

from theory.wide_networks._activations import Activation
from theory.wide_networks._gauss_engine import GaussEngine
from theory.wide_networks._laws import Law

__all__ = ["first_layer_expectations", "first_layer_cumulants", "TENSOR_LIMIT", "REPLICATES"]

TENSOR_LIMIT = 2 ** 22
REPLICATES = 16
POINTS = 2 ** 15
FFT_POINTS = 2 ** 14
FFT_PAIR_POINTS = 2 ** 9
FFT_PAIR_TOL = 1e-7
_RULE_ORDER = 20
_CHUNK = 2 ** 16

Term = tuple[tuple[int, ...], tuple[int, ...]]
Group = tuple[tuple[int, ...], Sequence[Term]]


def _cf(law: Law, t: np.ndarray) -> np.ndarray:
    """Characteristic function of a standardised continuous law (gaussian, uniform, student_t)."""
    if law.name == "gaussian":
        return np.exp(-0.5 * t * t)
    if law.name == "uniform":
        return np.sinc(math.sqrt(3.0) * t / math.pi)
    nu = float(law.nu)  # type: ignore[arg-type]
    x = np.abs(t) * math.sqrt(nu - 2.0)
    with np.errstate(all="ignore"):
        out = special.kv(nu / 2, x) * x ** (nu / 2) / (special.gamma(nu / 2) * 2 ** (nu / 2 - 1))
    return np.where(x == 0, 1.0, np.nan_to_num(out, nan=0.0, posinf=0.0))


def _fft_single(act: Activation, a: np.ndarray, c: float, wlaw: Law, blaw: Law, terms: Sequence[Term],
                need_d: bool, N: int) -> np.ndarray:
    """E over z = sum_j a_j w_j + c beta by Fourier inversion of the product of characteristic functions on an
    N-point grid of z (trapezoid rule; the density of a sum of >= 2 continuous terms is continuous)."""
    sd = math.sqrt(float(a @ a) + c * c)
    heavy = wlaw.name == "student_t" or (c > 0 and blaw.name == "student_t")
    Z = (24.0 if heavy else 12.0) * sd
    h = 2 * Z / N
    z = -Z + h * np.arange(N)
    t = 2 * np.pi * np.fft.fftfreq(N, d=h)
    phi = np.ones_like(t)
    for aj in a:
        phi = phi * _cf(wlaw, aj * t)
    if c > 0:
        phi = phi * _cf(blaw, c * t)
    dens = np.real(np.fft.ifft(phi * np.exp(-1j * t * z[0]))) / h  # p(z_k), k = 0..N-1
    s, ds = _evaluate(act, z[:, None], need_d)
    return h * (dens @ _products(s, ds, (0,), terms))


def _fft_pair(act: Activation, y: np.ndarray, c: float, wlaw: Law, blaw: Law, terms: Sequence[Term], need_d: bool,
              N: int) -> np.ndarray:
    """E over (u, v) = sum_j y_j w_j + c beta (1, 1) by 2D Fourier inversion in whitened coordinates
    xi = L^-1 (u, v), L L^T the covariance: the grid [-12, 12]^2 ([-24, 24]^2 for Student t) of N^2 points, the characteristic function
    prod_j phi_w((L^-1 y_j) . tau) phi_b(c (L^-1 1) . tau)."""
    cov = y.T @ y + c * c
    Lc = np.linalg.cholesky(cov)
    Li = np.linalg.inv(Lc)
    yt = y @ Li.T  # rows L^-1 y_j
    Z = 24.0 if "student_t" in (wlaw.name, blaw.name) else 12.0
    h = 2 * Z / N
    xi = -Z + h * np.arange(N)
    f = 2 * np.pi * np.fft.fftfreq(N, d=h)
    t1, t2 = np.meshgrid(f, f, indexing="ij")
    phi = np.ones_like(t1)
    for r in yt:
        phi = phi * _cf(wlaw, r[0] * t1 + r[1] * t2)
    if c > 0:
        one = Li @ np.ones(2) * c
        phi = phi * _cf(blaw, one[0] * t1 + one[1] * t2)
    shift = np.exp(-1j * (t1 + t2) * xi[0])
    dens = np.real(np.fft.ifft2(phi * shift)) / (h * h)
    X1, X2 = np.meshgrid(xi, xi, indexing="ij")
    uv = np.stack([X1.ravel(), X2.ravel()], axis=1) @ Lc.T
    s, ds = _evaluate(act, uv, need_d)
    return h * h * (dens.ravel() @ _products(s, ds, (0, 1), terms))


def first_layer_cumulants(A: np.ndarray, c: float, wlaw: Law, blaw: Law) -> dict[str, np.ndarray]:
    """Variance and excess kurtosis of each input's first-layer preactivation (exact: cumulants add)."""
    var = np.sum(A * A, axis=1) + c * c
    k4 = wlaw.kurtosis * np.sum(A ** 4, axis=1) + blaw.kurtosis * c ** 4
    return {"variance": var, "excess_kurtosis": k4 / var ** 2}


def _products(s: np.ndarray, ds: np.ndarray | None, idx: tuple[int, ...], terms: Sequence[Term]) -> np.ndarray:
    """Columns prod_c sigma(u_idx[c])^p_c sigma'(u_idx[c])^q_c for each term, shape (N, len(terms))."""
    out = np.empty((s.shape[0], len(terms)))
    for t, (p, q) in enumerate(terms):
        col = np.ones(s.shape[0])
        for c, a in enumerate(idx):
            if p[c]:
                col = col * s[:, a] ** p[c]
            if q[c]:
                col = col * ds[:, a] ** q[c]  # type: ignore[index]
        out[:, t] = col
    return out


def _evaluate(act: Activation, u: np.ndarray, need_d: bool) -> tuple[np.ndarray, np.ndarray | None]:
    return act.fn(u), (act.dfn(u) if need_d else None)


def _tensor(act: Activation, A: np.ndarray, c: float, laws: list[Law], groups: Sequence[Group], order: int,
            need_d: bool) -> list[np.ndarray]:
    """Product-rule expectations (laws[j] the law of term j: d weights, then the bias when c > 0)."""
    coef = [A[:, j] for j in range(A.shape[1])] + ([np.full(A.shape[0], c)] if len(laws) > A.shape[1] else [])
    u = np.zeros((1, A.shape[0]))
    w = np.ones(1)
    for law, col in zip(laws, coef):
        x, wt = law.rule(order)  # type: ignore[misc]
        u = (u[:, None, :] + x[None, :, None] * col[None, None, :]).reshape(-1, A.shape[0])
        w = (w[:, None] * wt[None, :]).reshape(-1)
    out = [np.zeros(len(t)) for _, t in groups]
    for a in range(0, u.shape[0], _CHUNK):
        s, ds = _evaluate(act, u[a:a + _CHUNK], need_d)
        for g, (idx, terms) in enumerate(groups):
            out[g] += w[a:a + _CHUNK] @ _products(s, ds, idx, terms)
    return out


def _rqmc(act: Activation, A: np.ndarray, c: float, wlaw: Law, blaw: Law, groups: Sequence[Group], need_d: bool,
          points: int, replicates: int, seed: int) -> tuple[list[np.ndarray], list[np.ndarray], bool]:
    """Mean over scramblings of E[f(z_L) - f(z_G)] (or of E f(z_L) without the control variate) and its error."""
    d = A.shape[1]
    D = d + (1 if c > 0 else 0)
    cv = wlaw.name != "rademacher"
    reps = [[np.zeros(len(t)) for _, t in groups] for _ in range(replicates)]
    tiny = 2.0 ** -53
    for r in range(replicates):
        sob = qmc.Sobol(D, scramble=True, rng=np.random.default_rng([seed, r]))
        U = np.clip(sob.random(points), tiny, 1 - tiny)
        wl, wg = wlaw.ppf(U[:, :d]), special.ndtri(U[:, :d])
        ul, ug = wl @ A.T, wg @ A.T
        if c > 0:
            ul = ul + c * blaw.ppf(U[:, d])[:, None]
            ug = ug + c * special.ndtri(U[:, d])[:, None]
        sl, dsl = _evaluate(act, ul, need_d)
        sg, dsg = _evaluate(act, ug, need_d) if cv else (None, None)
        for g, (idx, terms) in enumerate(groups):
            f = _products(sl, dsl, idx, terms)
            reps[r][g] = np.mean(f - _products(sg, dsg, idx, terms) if cv else f, axis=0)  # type: ignore[arg-type]
    tq = float(stats.t.ppf(1 - 0.5e-4, replicates - 1))
    means, errs = [], []
    for g in range(len(groups)):
        x = np.array([reps[r][g] for r in range(replicates)])
        means.append(x.mean(0))
        errs.append(tq * x.std(0, ddof=1) / math.sqrt(replicates))
    return means, errs, cv


def first_layer_expectations(X: np.ndarray, act: Activation, C_W: float, C_b: float, wlaw: Law, blaw: Law,
                             groups: Sequence[Group], *, order: int = 64, points: int = POINTS,
                             replicates: int = REPLICATES, seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray], str]:
    r"""Exact-law averages over the first layer (module docstring) for groups of one or two inputs.

    Parameters
    ----------
    X
        Inputs ``(P, d)``.
    act
        The activation.
    C_W, C_b
        First-layer weight and bias variances (weights :math:`N(0, C_W/d)`-scaled).
    wlaw, blaw
        Standardised laws of the first layer's weights and bias.
    groups
        ``[(idx, terms)]``: ``idx`` one input ``(a,)`` or a pair ``(a, b)``; each term ``(p, q)`` gives the
        powers of :math:`\sigma` and :math:`\sigma'` per input of ``idx``.
    order
        Gauss-Hermite order of the Gaussian averages.
    points, replicates, seed
        Quasi-Monte Carlo points per scrambling, number of scramblings, and the scrambling seed.

    Returns
    -------
    values, errors, method
        One array per group (one entry per term); ``method`` is ``"gaussian"``, ``"tensor"`` or ``"rqmc"``.
    """
    P, d = X.shape
    A = math.sqrt(C_W / d) * X
    c = math.sqrt(C_b)
    K1 = A @ A.T + C_b
    need_d = any(any(q) for _, terms in groups for _, q in terms)
    gvals, gerrs = [], []
    for idx, terms in groups:
        eng = GaussEngine(act, K1[np.ix_(idx, idx)], order)
        res = [eng.expect(p, q) for p, q in terms]
        gvals.append(np.array([r[0] for r in res]))
        gerrs.append(np.array([r[1] for r in res]))
    laws = [wlaw] * d + ([blaw] if c > 0 else [])
    if all(law.is_gaussian for law in laws):
        return gvals, gerrs, "gaussian"
    rules = [law.rule(_RULE_ORDER) for law in laws]
    if all(r is not None for r in rules) and math.prod(len(r[0]) for r in rules) * P <= TENSOR_LIMIT:  # type: ignore[index]
        vals = _tensor(act, A, c, laws, groups, _RULE_ORDER, need_d)
        if all(law.exact_rule for law in laws):
            return vals, [np.abs(v) * 1e-13 for v in vals], "tensor"
        low = _tensor(act, A, c, laws, groups, 2 * _RULE_ORDER // 3, need_d)
        return vals, [np.abs(a - b) + 1e-13 * np.abs(a) for a, b in zip(vals, low)], "tensor"
    # a sum of two or more continuous terms, or one term with a smooth density (a lone uniform has jumps)
    fft_ok = all(law.name in ("gaussian", "uniform", "student_t") for law in laws) and (
        len(laws) >= 2 or laws[0].name != "uniform")
    singles = [g for g, (idx, _) in enumerate(groups) if len(idx) == 1] if fft_ok else []
    vals, errs = list(gvals), list(gerrs)
    for g in singles:
        idx, terms = groups[g]
        hi = _fft_single(act, A[idx[0]], c, wlaw, blaw, terms, need_d, FFT_POINTS)
        lo = _fft_single(act, A[idx[0]], c, wlaw, blaw, terms, need_d, FFT_POINTS // 2)
        vals[g], errs[g] = hi, np.abs(hi - lo) + 1e-13 * np.abs(hi)
    for g, (idx, terms) in enumerate(groups):
        if not fft_ok or len(idx) != 2:
            continue
        y = A[list(idx)].T
        hi = _fft_pair(act, y, c, wlaw, blaw, terms, need_d, FFT_PAIR_POINTS)
        lo = _fft_pair(act, y, c, wlaw, blaw, terms, need_d, FFT_PAIR_POINTS // 2)
        unit = math.sqrt(max(hi[0], 1e-300)) if terms else 1.0
        if np.all(np.abs(hi - lo) <= FFT_PAIR_TOL * (np.abs(hi) + unit)):
            vals[g], errs[g] = hi, np.abs(hi - lo) + 1e-13 * np.abs(hi)
            singles.append(g)
    rest = [g for g in range(len(groups)) if g not in singles]
    if not rest:
        return vals, errs, "fft"
    diff, err, cv = _rqmc(act, A, c, wlaw, blaw, [groups[g] for g in rest], need_d, points, replicates, seed)
    for i, g in enumerate(rest):
        vals[g], errs[g] = (gvals[g] + diff[i], gerrs[g] + err[i]) if cv else (diff[i], err[i])
    return vals, errs, "fft+rqmc" if singles else "rqmc"
