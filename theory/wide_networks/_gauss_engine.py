r"""Gaussian expectations of activation products and of their derivatives, for one or two inputs.

For a centred Gaussian :math:`u` with covariance :math:`K` (:math:`1\times1` or :math:`2\times2`) and
:math:`f(u) = \prod_c \sigma(u_c)^{p_c}\sigma'(u_c)^{q_c}`, :class:`GaussEngine` computes
:math:`\langle \partial^{i}_{u_1}\partial^{j}_{u_2} f\rangle_K`.  Derivatives are never taken of
:math:`\sigma`: Gaussian integration by parts turns them into Hermite weights.  In the symmetric
factorisation :math:`u_1 = \sqrt{q_1}(\alpha\xi_1 + \beta\xi_2)`, :math:`u_2 = \sqrt{q_2}(\alpha\xi_1 - \beta\xi_2)`,
:math:`\alpha^2 = (1+\rho)/2`, :math:`\beta^2 = (1-\rho)/2`, with :math:`\xi` standard normal,

.. math::

    \partial_{u_1} = \frac{1}{2\sqrt{q_1}}\Big(\frac{\partial_{\xi_1}}{\alpha} + \frac{\partial_{\xi_2}}{\beta}\Big),\quad
    \partial_{u_2} = \frac{1}{2\sqrt{q_2}}\Big(\frac{\partial_{\xi_1}}{\alpha} - \frac{\partial_{\xi_2}}{\beta}\Big),\quad
    \langle\partial_{\xi_1}^k\partial_{\xi_2}^m f\rangle = \langle f\,He_k(\xi_1)He_m(\xi_2)\rangle

(Stein's lemma; :math:`He` the probabilists' Hermite polynomials).  One input:
:math:`\langle f^{(k)}\rangle_K = \langle f\,He_k(z/\sqrt K)\rangle_K / K^{k/2}`.  The weighted averages are
Gauss-Hermite sums (smooth activations; error: the difference to a rule of 3/4 the order) or, for
positively homogeneous activations (ReLU, leaky ReLU, absolute value, linear; step and sign without
:math:`\sigma'`), exact: :math:`f\,\xi_1^a\xi_2^b` is homogeneous, so in polar coordinates its average is a
radial moment :math:`\int_0^\infty r^{M+1}e^{-r^2/2}dr = 2^{M/2}\Gamma(M/2+1)` times an angular integral of a
piecewise trigonometric polynomial (Gauss-Legendre on each arc between the zeros of :math:`u_1, u_2`).
The weights :math:`\alpha^{-k}\beta^{-m}` grow as :math:`|\rho| \to 1`; pairs with
:math:`|\rho| > 1 - 10^{-4}` are refused.

References: Stein, Ann. Statist. 9:1135 (1981) (Gaussian integration by parts); Golub & Welsch,
Math. Comp. 23:221 (1969); Roberts, Yaida & Hanin (2022), sec. 4.1 (derivatives of Gaussian averages
with respect to the kernel).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from theory.wide_networks._activations import Activation, _hermite

__all__ = ["GaussEngine", "MAX_CORRELATION"]

MAX_CORRELATION = 1.0 - 1e-4
_ARC_NODES = 40


@functools.lru_cache(maxsize=32)
def _he_coeffs(k: int) -> np.ndarray:
    """Monomial coefficients of the probabilists' Hermite polynomial He_k."""
    c = np.zeros(k + 1)
    c[k] = 1.0
    return np.polynomial.hermite_e.herme2poly(c)


def _abs_moment(m: float) -> float:
    """E|xi|^m for a standard normal xi."""
    return 2 ** (m / 2) * math.gamma((m + 1) / 2) / math.sqrt(math.pi)


class GaussEngine:
    """Averages :math:`\\langle\\partial^{n} \\prod_c \\sigma(u_c)^{p_c}\\sigma'(u_c)^{q_c}\\rangle_K` (module docstring).

    Parameters
    ----------
    act
        A resolved activation.
    K
        Covariance, shape ``(1, 1)`` or ``(2, 2)``, positive definite with :math:`|\\rho| \\le 1 - 10^{-4}`.
    order
        Gauss-Hermite nodes per axis (smooth activations).

    Raises
    ------
    ValueError
        A singular or too strongly correlated covariance; :math:`\\sigma'` of a piecewise-constant activation.
    """

    def __init__(self, act: Activation, K: np.ndarray, order: int = 64) -> None:
        K = np.asarray(K, dtype=float)
        self.act, self.m, self.order = act, K.shape[0], order
        self.hom = act.homogeneous
        if np.any(np.diag(K) <= 0):
            raise ValueError("a preactivation variance vanished (zero input and zero bias?)")
        self.q = np.sqrt(np.diag(K))
        if self.m == 2:
            rho = float(K[0, 1] / (self.q[0] * self.q[1]))
            if abs(rho) > MAX_CORRELATION:
                raise ValueError(f"two inputs whose preactivations have correlation {rho:.8f}: the 1/width pair "
                                 f"recursion needs |rho| <= {MAX_CORRELATION} (drop one of two (anti)collinear inputs)")
            self.al, self.be = math.sqrt((1 + rho) / 2), math.sqrt((1 - rho) / 2)
        self._cache: dict[Any, tuple[float, float]] = {}
        self._nodes: dict[int, Any] = {}

    # ------------------------------------------------------------------ weighted averages M_{k,m}
    def _smooth_nodes(self, order: int) -> Any:
        if order not in self._nodes:
            x, w = _hermite(order)
            if self.m == 1:
                z = [self.q[0] * x]
                xs, ws = [x], w
            else:
                x1, x2 = x[:, None] * np.ones(order)[None, :], np.ones(order)[:, None] * x[None, :]
                z = [self.q[0] * (self.al * x1 + self.be * x2), self.q[1] * (self.al * x1 - self.be * x2)]
                xs, ws = [x1, x2], w[:, None] * w[None, :]
            s = [self.act.fn(zz) for zz in z]
            self._nodes[order] = (z, s, xs, ws, {})
        return self._nodes[order]

    def _factor(self, nodes: Any, c: int, p: int, q: int) -> np.ndarray:
        z, s, _, _, memo = nodes
        key = (c, p, q)
        if key not in memo:
            f = s[c] ** p
            if q:
                f = f * self.act.dfn(z[c]) ** q
            memo[key] = f
        return memo[key]

    def _weighted_smooth(self, p: tuple[int, ...], q: tuple[int, ...], km: tuple[int, ...], order: int) -> float:
        nodes = self._smooth_nodes(order)
        _, _, xs, ws, _ = nodes
        f = ws
        for c in range(self.m):
            f = f * self._factor(nodes, c, p[c], q[c]) * np.polynomial.polynomial.polyval(xs[c], _he_coeffs(km[c]))
        return float(np.sum(f))

    def _units(self, p: int, q: int) -> tuple[float, tuple[float, float]]:
        """Degree and values at +1, -1 of sigma^p sigma'^q for a homogeneous sigma."""
        deg, (s1, sm1) = self.hom  # type: ignore[misc]
        if q and deg == 0:
            raise ValueError(f"the derivative of {self.act.name!r} is a Dirac delta: quantities with sigma' "
                             "(the NTK) are not defined for it")
        dpos, dneg = (s1, -sm1) if deg == 1 else (0.0, 0.0)
        return float(deg * p), (s1 ** p * dpos ** q, sm1 ** p * dneg ** q)

    def _weighted_homogeneous(self, p: tuple[int, ...], q: tuple[int, ...], km: tuple[int, ...]) -> float:
        if self.m == 1:
            D, (up, un) = self._units(p[0], q[0])
            out = 0.0
            for j, h in enumerate(_he_coeffs(km[0])):
                if h:
                    out += h * (up + (-1) ** j * un) / 2 * _abs_moment(D + j)
            return out * self.q[0] ** D
        return self._polar(p, q, km)

    def _polar(self, p: tuple[int, ...], q: tuple[int, ...], km: tuple[int, ...]) -> float:
        al, be = self.al, self.be
        cuts = {0.0}
        for c in (math.atan2(-al, be), math.atan2(al, be)):
            cuts |= {c % (2 * math.pi), (c + math.pi) % (2 * math.pi)}
        edges = sorted(cuts) + [2 * math.pi]
        x, w = np.polynomial.legendre.leggauss(_ARC_NODES)
        phis, wts = [], []
        for a, b in zip(edges[:-1], edges[1:]):
            if b > a:
                phis.append((a + b) / 2 + (b - a) / 2 * x)
                wts.append((b - a) / 2 * w)
        phi, wt = np.concatenate(phis), np.concatenate(wts)
        cu, cv = al * np.cos(phi) + be * np.sin(phi), al * np.cos(phi) - be * np.sin(phi)
        (Du, (pu, nu_)), (Dv, (pv, nv)) = self._units(p[0], q[0]), self._units(p[1], q[1])
        g = (np.where(cu > 0, pu, nu_) * np.abs(cu) ** Du * self.q[0] ** Du
             * np.where(cv > 0, pv, nv) * np.abs(cv) ** Dv * self.q[1] ** Dv)
        out = 0.0
        for a, ha in enumerate(_he_coeffs(km[0])):
            if not ha:
                continue
            for b, hb in enumerate(_he_coeffs(km[1])):
                if not hb:
                    continue
                M = Du + Dv + a + b
                radial = 2 ** (M / 2) * math.gamma(M / 2 + 1) / (2 * math.pi)
                out += ha * hb * radial * float(np.sum(g * np.cos(phi) ** a * np.sin(phi) ** b * wt))
        return out

    def _weighted(self, p: tuple[int, ...], q: tuple[int, ...], km: tuple[int, ...]) -> tuple[float, float]:
        key = ("w", p, q, km)
        if key not in self._cache:
            if self.hom is not None:
                val = self._weighted_homogeneous(p, q, km)
                self._cache[key] = (val, 1e-13 * max(abs(val), 1e-300))
            else:
                a = self._weighted_smooth(p, q, km, self.order)
                b = self._weighted_smooth(p, q, km, max(8, 3 * self.order // 4))
                self._cache[key] = (a, abs(a - b))
        return self._cache[key]

    # ------------------------------------------------------------------ derivatives
    def expect(self, p: tuple[int, ...], q: tuple[int, ...] | None = None,
               counts: tuple[int, ...] | None = None) -> tuple[float, float]:
        """:math:`\\langle\\partial_1^{n_1}\\partial_2^{n_2}\\prod_c\\sigma^{p_c}\\sigma'^{q_c}\\rangle_K` and its error.

        Parameters
        ----------
        p, q
            Powers of :math:`\\sigma` and :math:`\\sigma'` per input (``q`` default zeros).
        counts
            Derivative orders per input (default zeros).

        Returns
        -------
        value, error
        """
        q = (0,) * self.m if q is None else q
        counts = (0,) * self.m if counts is None else counts
        key = ("d", p, q, counts)
        if key in self._cache:
            return self._cache[key]
        if self.m == 1:
            val, err = self._weighted(p, q, counts)
            scale = self.q[0] ** (-counts[0])
            res = (val * scale, err * scale)
        else:
            i, j = counts
            total, err = 0.0, 0.0
            for s in range(i + 1):
                for t in range(j + 1):
                    k, m = i + j - s - t, s + t
                    c = math.comb(i, s) * math.comb(j, t) * (-1) ** t * self.al ** (-k) * self.be ** (-m)
                    val, e = self._weighted(p, q, (k, m))
                    total += c * val
                    err += abs(c) * e
            scale = (2 * self.q[0]) ** (-i) * (2 * self.q[1]) ** (-j)
            res = (total * scale, err * scale)
        self._cache[key] = res
        return res
