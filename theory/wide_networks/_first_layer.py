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
POINTS = 2 ** 14
_RULE_ORDER = 20
_CHUNK = 2 ** 16

Term = tuple[tuple[int, ...], tuple[int, ...]]
Group = tuple[tuple[int, ...], Sequence[Term]]


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
    diff, err, cv = _rqmc(act, A, c, wlaw, blaw, groups, need_d, points, replicates, seed)
    if not cv:
        return diff, err, "rqmc"
    return [g + x for g, x in zip(gvals, diff)], [ge + e for ge, e in zip(gerrs, err)], "rqmc"
