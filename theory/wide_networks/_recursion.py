r"""The 1/width recursion for one input or a pair of inputs, for iid weights and biases of any law.

Layer :math:`l+1` is :math:`z_i = \sum_j W_{ij}\sigma(z^{(l)}_j) + b_i` with
:math:`W_{ij} = \sqrt{C_W/n_l}\,w_{ij}`, :math:`b_i = \sqrt{C_b}\,\beta_i`, standardised :math:`w, \beta` of excess
kurtosis :math:`k_w, k_b`.  Given layer :math:`l` the :math:`z_i` are independent sums of :math:`n_l`
independent terms with conditional covariance :math:`S_{cd} = C_b + \frac{C_W}{n_l}\sum_j\sigma_j(c)\sigma_j(d)`
and conditional fourth cumulant (cumulants of independent terms add)

.. math::

    Q_{c_1c_2c_3c_4} = k_w\frac{C_W^2}{n_l^2}\sum_j \sigma_j(c_1)\sigma_j(c_2)\sigma_j(c_3)\sigma_j(c_4) + k_bC_b^2 .

For inputs :math:`c, d` of one group (one input, or a pair) the state of layer :math:`l` is the kernel
:math:`K_r`, the 1/n shift :math:`G_r` of :math:`E z_cz_d = K_r + G_r`, the four-point vertex
:math:`V_{rt} = \mathrm{Cov}(S_r, S_t)` and :math:`e_\mu = E\,Q_\mu` (:math:`r, t` pairs of inputs,
:math:`\mu` a 4-multiset), so one neuron's joint fourth cumulant is
:math:`\kappa_{c_1c_2c_3c_4} = V_{(c_1c_2)(c_3c_4)} + V_{(c_1c_3)(c_2c_4)} + V_{(c_1c_4)(c_2c_3)} + e_{c_1c_2c_3c_4}`.
With :math:`f_r = \sigma_c\sigma_d`, :math:`g_r = \langle f_r\rangle_K`, :math:`J_{rt} = \partial g_r/\partial K_t` and
the Edgeworth term :math:`E^{(4)}_r = \frac1{24}\sum\kappa_{c_1..c_4}\langle\partial_{c_1}..\partial_{c_4}f_r\rangle_K`:

.. math::

    K'_r = C_b + C_W g_r,\qquad G'_r = C_W\Big(\sum_t J_{rt}G_t + E^{(4)}_r\Big),\\
    V'_{rt} = \frac{C_W^2}{n_l}\big(\langle f_rf_t\rangle - g_rg_t\big) + C_W^2\sum_{s,s'}J_{rs}J_{ts'}V_{ss'},\qquad
    e'_\mu = k_w\frac{C_W^2}{n_l}\langle\sigma^\mu\rangle + k_bC_b^2 .

The transition out of the first layer uses the first layer's exact law instead of Gaussian averages
and is exact (:math:`G = 0`; :math:`V, e` with the first-layer averages).  For one input this is the
four-point-vertex recursion of Roberts, Yaida & Hanin (2022), ch. 4-5, plus the :math:`e` terms:
:math:`E z^2 = K + G` and the excess kurtosis :math:`(3V + e)/K^2` to :math:`O(1/n)`.  A majorant copy of
the recursion (every fresh term and every propagation factor in absolute value) sizes the omitted
:math:`O(1/n^2)` terms.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from theory.wide_networks._activations import Activation
from theory.wide_networks._gauss_engine import GaussEngine

__all__ = ["GroupState", "pairs_of", "quartics", "first_transition", "transition", "first_layer_terms",
           "power", "edgeworth"]


def pairs_of(m: int) -> list[tuple[int, int]]:
    """The index pairs r of a group of m inputs: [(0, 0)] or [(0, 0), (0, 1), (1, 1)]."""
    return [(a, b) for a in range(m) for b in range(a, m)]


def quartics(m: int) -> list[tuple[int, ...]]:
    """Powers (per input) of the degree-4 monomials of a group."""
    return [(4,)] if m == 1 else [(4 - i, i) for i in range(5)]


def power(m: int, *idx: int) -> tuple[int, ...]:
    """Powers per input of prod_{c in idx} sigma_c."""
    p = [0] * m
    for c in idx:
        p[c] += 1
    return tuple(p)


def first_layer_terms(m: int, ntk: bool) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The first-layer averages the recursion needs: sigma products of degree 2 and 4, and with ntk sigma'sigma' ones."""
    zero = (0,) * m
    terms = [(power(m, *r), zero) for r in pairs_of(m)] + [(mu, zero) for mu in quartics(m)]
    if ntk:
        dd = power(m, 0, m - 1)
        terms += [(zero, dd)] + [(power(m, *r), dd) for r in pairs_of(m)]
    return terms


@dataclass
class GroupState:
    """One group's 1/width state at a layer (module docstring); ``*_plus`` is the majorant copy."""

    K: np.ndarray
    G: dict[tuple[int, int], float]
    V: dict[tuple[Any, Any], float]
    e: dict[tuple[int, ...], float]
    G_plus: dict[tuple[int, int], float]
    V_plus: dict[tuple[Any, Any], float]
    e_plus: dict[tuple[int, ...], float]
    error: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def m(self) -> int:
        """Number of inputs in the group."""
        return self.K.shape[0]

    def kappa(self, counts: tuple[int, ...], plus: bool = False) -> float:
        """One neuron's joint fourth cumulant for inputs with these multiplicities (to O(1/n))."""
        c = [i for i, n in enumerate(counts) for _ in range(n)]
        V, e = (self.V_plus, self.e_plus) if plus else (self.V, self.e)

        def vv(a: int, b: int, x: int, y: int) -> float:
            return V[(tuple(sorted((a, b))), tuple(sorted((x, y))))]

        return (vv(c[0], c[1], c[2], c[3]) + vv(c[0], c[2], c[1], c[3]) + vv(c[0], c[3], c[1], c[2])
                + e[tuple(counts)])


def _count_sets(m: int) -> list[tuple[tuple[int, ...], int]]:
    """(derivative counts per input, number of ordered 4-tuples with those counts)."""
    return [((4,), 1)] if m == 1 else [((4 - i, i), math.comb(4, i)) for i in range(5)]


def jacobian(eng: GaussEngine, p: tuple[int, ...], q: tuple[int, ...] | None = None) -> dict[tuple[int, int], float]:
    """J_t = d<f>/dK_t for f = prod sigma^p sigma'^q (K_01 one variable: <d_0 d_1 f>; K_cc: <d_c^2 f>/2)."""
    out = {}
    for t in pairs_of(eng.m):
        counts = power(eng.m, *t)
        val, _ = eng.expect(p, q, counts)
        out[t] = val if t[0] != t[1] else val / 2
    return out


def edgeworth(eng: GaussEngine, st: GroupState, p: tuple[int, ...], q: tuple[int, ...] | None = None,
              plus: bool = False) -> tuple[float, float]:
    """(1/24) sum kappa <d^4 f> (and the error of the averages), majorant version with |kappa| |<d^4 f>|."""
    tot, err = 0.0, 0.0
    for counts, mult in _count_sets(st.m):
        val, e = eng.expect(p, q, counts)
        k = st.kappa(counts, plus)
        tot += mult * (abs(k) * abs(val) if plus else k * val) / 24
        err += mult * abs(k) * e / 24
    return tot, err


def _key(r: tuple[int, int], t: tuple[int, int]) -> tuple[Any, Any]:
    return (r, t)


def first_transition(E1: dict[Any, float], err1: dict[Any, float], m: int, n: int, cw: float, cb: float,
                     kw: float, kb: float) -> GroupState:
    """Layer 2 from the exact first-layer averages ``E1[(p, q)]`` (exact: G = 0)."""
    zero = (0,) * m
    R = pairs_of(m)
    g = {r: E1[(power(m, *r), zero)] for r in R}
    K = np.empty((m, m))
    for (a, b) in R:
        K[a, b] = K[b, a] = cb + cw * g[(a, b)]
    V = {}
    for r, t in itertools.product(R, R):
        mu = tuple(x + y for x, y in zip(power(m, *r), power(m, *t)))
        V[_key(r, t)] = cw * cw / n * (E1[(mu, zero)] - g[r] * g[t])
    e = {mu: kw * cw * cw / n * E1[(mu, zero)] + kb * cb * cb for mu in quartics(m)}
    e_plus = {mu: abs(kw) * cw * cw / n * abs(E1[(mu, zero)]) + abs(kb) * cb * cb for mu in quartics(m)}
    # integration error relative to each average's natural size (products of the per-input <sigma^2>), so an
    # average that happens to be near 0 does not turn a small absolute error into a large relative one
    s2 = [abs(E1[(power(m, c, c), zero)]) for c in range(m)]
    unit = math.sqrt(s2[0] * s2[-1])
    rel = max((err1[k] / (abs(E1[k]) + unit ** (sum(k[0]) / 2)) for k in E1), default=0.0)
    return GroupState(K, {r: 0.0 for r in R}, V, e, {r: 0.0 for r in R}, {k: abs(x) for k, x in V.items()}, e_plus,
                      error=rel)


def transition(act: Activation, st: GroupState, n: int, cw: float, cb: float, kw: float, kb: float,
               order: int) -> tuple[GroupState, GaussEngine]:
    """Layer l + 1 from layer l >= 2 (Gaussian averages at K plus the Edgeworth and vertex terms)."""
    m = st.m
    R = pairs_of(m)
    eng = GaussEngine(act, st.K, order)
    g, J, E4, E4p = {}, {}, {}, {}
    qerr = 0.0
    for r in R:
        p = power(m, *r)
        g[r], e0 = eng.expect(p)
        J[r] = jacobian(eng, p)
        E4[r], e4 = edgeworth(eng, st, p)
        E4p[r], _ = edgeworth(eng, st, p, plus=True)
        qerr = max(qerr, (e0 + e4) / max(abs(g[r]), 1e-300))
    K = np.empty((m, m))
    G, Gp = {}, {}
    for r in R:
        K[r[0], r[1]] = K[r[1], r[0]] = cb + cw * g[r]
        G[r] = cw * (sum(J[r][t] * st.G[t] for t in R) + E4[r])
        Gp[r] = abs(cw) * (sum(abs(J[r][t]) * st.G_plus[t] for t in R) + E4p[r])
    V, Vp = {}, {}
    for r, t in itertools.product(R, R):
        mu = tuple(x + y for x, y in zip(power(m, *r), power(m, *t)))
        fresh = cw * cw / n * (eng.expect(mu)[0] - g[r] * g[t])
        prop = sum(J[r][s] * J[t][s2] * st.V[_key(s, s2)] for s in R for s2 in R)
        prop_p = sum(abs(J[r][s] * J[t][s2]) * st.V_plus[_key(s, s2)] for s in R for s2 in R)
        V[_key(r, t)] = fresh + cw * cw * prop
        Vp[_key(r, t)] = abs(fresh) + cw * cw * prop_p
    e = {mu: kw * cw * cw / n * eng.expect(mu)[0] + kb * cb * cb for mu in quartics(m)}
    ep = {mu: abs(kw) * cw * cw / n * abs(eng.expect(mu)[0]) + abs(kb) * cb * cb for mu in quartics(m)}
    return GroupState(K, G, V, e, Gp, Vp, ep, error=st.error + qerr), eng
