"""Derivations of the shared cumulant algebra (rendered by ``theorycheck docs``)."""

from __future__ import annotations

import sympy as sp

from theory.cumulants._families import family_cumulants
from theory.cumulants._moments import central_moments_from_cumulants, cumulants_from_moments, moments_from_cumulants
from theory.cumulants._partitions import joint_cumulant, wick_moment
from theory.derivation import Derivation, register_derivation

__all__: list[str] = []


_t = sp.Symbol("t")


@register_derivation("cumulants-moments")
def _derive_cumulants_moments() -> Derivation:
    r = 5
    ks = sp.symbols(f"kappa_1:{r + 1}")
    ms = sp.symbols(f"m_1:{r + 1}")
    n, j = sp.symbols("n j", integer=True, positive=True)
    K = sp.Function("K")(_t)
    M = sp.Function("M")(_t)
    d = Derivation(
        name="cumulants-moments",
        title="Moments and cumulants",
        summary=(
            "The moment generating function is the exponential of the cumulant generating function. "
            "Differentiating M = exp(K) gives a recursion between raw moments and cumulants that needs "
            "only integer binomial coefficients, so exact inputs stay exact; the multivariate version is "
            "a sum over set partitions."
        ),
        assumptions=["The moments used exist (the generating functions are taken as formal power series)."],
        references=[
            "P. McCullagh, Tensor Methods in Statistics (1987), ch. 2.",
            "P. J. Smith, A recursive formulation of the old problem of obtaining moments from cumulants and vice versa, Am. Stat. 49 (1995) 217.",
            "M. Kendall and A. Stuart, The Advanced Theory of Statistics, vol. 1, sec. 3.12-3.14.",
        ],
    )
    d.step("Generating functions of moments and cumulants.", sp.Eq(M, sp.exp(K)))
    d.step("Differentiate: the derivative of M equals K' M.", sp.Eq(sp.Derivative(M, _t), sp.Derivative(K, _t) * M))
    mm, kk = sp.IndexedBase("m"), sp.IndexedBase("kappa")
    d.step(
        "Compare coefficients of t^(n-1)/(n-1)! (m_0 = 1): the moment recursion.",
        sp.Eq(mm[n], sp.Sum(sp.binomial(n - 1, j - 1) * kk[j] * mm[n - j], (j, 1, n))),
    )
    mom = moments_from_cumulants(list(ks))
    for i in range(1, r):
        d.step(f"Moment of order {i + 1} from cumulants.", sp.Eq(ms[i], mom[i]))
    cum = cumulants_from_moments(list(ms))
    for i in range(1, r):
        d.step(f"Cumulant of order {i + 1} from raw moments (the inverse recursion).", sp.Eq(ks[i], cum[i]))
    cen = central_moments_from_cumulants(list(ks))
    mu = sp.symbols(f"mu_1:{r + 1}")
    d.step("Central moments: the cumulants of X - kappa_1 are (0, kappa_2, kappa_3, ...).", sp.Eq(mu[3], cen[3]))
    km, E = sp.Function("kappa"), sp.Function("E")
    x1, x2, x3 = sp.symbols("X_1 X_2 X_3")
    d.step(
        "Multivariate: the joint cumulant is a sum over set partitions pi of products of block moments, "
        "weighted by (-1)^(|pi|-1) (|pi|-1)!; for three variables:",
        sp.Eq(
            km(x1, x2, x3),
            joint_cumulant(lambda labels: E(sp.Mul(*labels)), [x1, x2, x3]),
        ),
    )
    return d


@register_derivation("cumulants-wick-isserlis")
def _derive_wick() -> Derivation:
    C = sp.Matrix(4, 4, lambda i, j: sp.Symbol(f"C_{min(i, j) + 1}{max(i, j) + 1}"))
    x = sp.symbols("x_1:5")
    kk = sp.Symbol("k", integer=True, positive=True)
    E = sp.Function("E")
    d = Derivation(
        name="cumulants-wick-isserlis",
        title="Gaussian moments by Wick/Isserlis pairings",
        summary=(
            "For a centred Gaussian vector with covariance C the cumulant generating function is the quadratic "
            "t^T C t / 2, so every joint cumulant beyond order two vanishes, and the moment-cumulant partition "
            "sum keeps only partitions into pairs: a moment is a sum over perfect matchings."
        ),
        assumptions=["x ~ N(0, C) with C symmetric positive semi-definite."],
        references=[
            "L. Isserlis, On a formula for the product-moment coefficient of any order of a normal frequency distribution, Biometrika 12 (1918) 134.",
            "G. C. Wick, The evaluation of the collision matrix, Phys. Rev. 80 (1950) 268.",
            "P. McCullagh, Tensor Methods in Statistics (1987), sec. 2.5.",
        ],
    )
    tt = sp.Matrix(sp.symbols("t_1:5"))
    d.step("Cumulant generating function of N(0, C): quadratic, so all cumulants of order >= 3 vanish.",
           sp.Eq(sp.Function("K")(*tt), sp.expand((tt.T * C * tt)[0] / 2)))
    d.step("Fourth moment: the three pairings of four indices.",
           sp.Eq(E(x[0] * x[1] * x[2] * x[3]), wick_moment(C, [0, 1, 2, 3])))
    d.step("Repeated indices: E[x_1^4] = 3 C_11^2.", sp.Eq(E(x[0] ** 4), wick_moment(C, [0, 0, 0, 0])))
    d.step("Number of pairings of 2k objects.",
           sp.Eq(sp.Symbol("N_pairings"), sp.factorial(2 * kk) / (2**kk * sp.factorial(kk))))
    d.step("Odd moments vanish (no perfect matching exists).", sp.Eq(E(x[0] * x[1] * x[2]), wick_moment(C, [0, 1, 2])))
    return d


@register_derivation("cumulants-families")
def _derive_families() -> Derivation:
    r = sp.Symbol("r", integer=True, positive=True)
    a, th, lam, p, h = sp.symbols("a theta lambda p h", positive=True)
    kap = sp.Function("kappa")
    d = Derivation(
        name="cumulants-families",
        title="Exact cumulants of the families used by the checks",
        summary="Cumulants read off the cumulant generating functions K(t) = log E exp(tX) of standard families.",
        assumptions=["t inside the domain where the moment generating function is finite."],
        references=[
            "M. Kendall and A. Stuart, The Advanced Theory of Statistics, vol. 1, ch. 3-5.",
            "N. L. Johnson, S. Kotz, N. Balakrishnan, Continuous Univariate Distributions, vol. 2, ch. 26 (uniform).",
        ],
        truncation="",
    )
    def from_series(K: sp.Expr, order: int = 4) -> sp.Tuple:
        ser = sp.series(K, _t, 0, order + 1).removeO()
        return sp.Tuple(*[sp.factor(ser.coeff(_t, i) * sp.factorial(i)) for i in range(1, order + 1)])

    first4 = sp.Tuple(*sp.symbols("kappa_1:5"))
    Kg = -a * sp.log(1 - th * _t)
    d.step("Gamma(shape a, scale theta): cumulant generating function.", sp.Eq(sp.Function("K")(_t), Kg))
    d.step("Its Taylor coefficients times r! (sympy series).", sp.Eq(first4, from_series(Kg)))
    d.step("Hence, for every r (expand -log(1 - theta t) = sum theta^r t^r / r):", sp.Eq(kap(r), a * sp.factorial(r - 1) * th**r))
    d.step("Exponential(rate lambda) = Gamma(1, 1/lambda); chi-square(nu) = Gamma(nu/2, 2).", sp.Eq(kap(r), sp.factorial(r - 1) / lam**r))
    Ku = (2 * sp.Symbol("a") + h) * _t / 2 + sp.log(sp.sinh(h * _t / 2) / (h * _t / 2))
    d.step("Uniform(a, a + h): cumulant generating function.", sp.Eq(sp.Function("K")(_t), Ku))
    d.step("log(sinh(u)/u) = sum_{r>=2} B_r (2u)^r / (r r!) with Bernoulli numbers B_r, so for r >= 2:",
           sp.Eq(kap(r), sp.Symbol("B_r") * h**r / r))
    d.step("Uniform(0, 1), first six cumulants.", sp.Eq(sp.Tuple(*sp.symbols("kappa_1:7")), sp.Tuple(*family_cumulants("uniform", 6))))
    Kb = sp.log(1 - p + p * sp.exp(_t))
    d.step("Bernoulli(p): cumulant generating function.", sp.Eq(sp.Function("K")(_t), Kb))
    d.step("Every raw moment equals p; the moment recursion gives", sp.Eq(first4, sp.Tuple(*[sp.factor(v) for v in family_cumulants("bernoulli", 4, p=p)])))
    d.step("Poisson(lambda): K(t) = lambda (e^t - 1), so every cumulant equals lambda.", sp.Eq(kap(r), lam))
    return d
