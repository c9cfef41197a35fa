"""Derivations of the Edgeworth, Cornish-Fisher and lattice expansions (rendered by ``theorycheck docs``)."""

from __future__ import annotations

import sympy as sp

from theory.edgeworth._terms import cornish_fisher_polynomials, hermite_poly, symbolic_lambdas, term_coefficients
from theory.derivation import Derivation, register_derivation

__all__: list[str] = []

_x, _t, _n, _z = sp.symbols("x t n z", real=True)
_REFS = [
    "V. V. Petrov, Sums of Independent Random Variables (Springer 1975), ch. VI.",
    "S. Blinnikov, R. Moessner, Expansions for nearly Gaussian distributions, A&AS 130, 193 (1998), arXiv:astro-ph/9711239.",
    "P. Hall, The Bootstrap and Edgeworth Expansion (Springer 1992), sec. 2.2.",
]


def _pj(j: int, lam: list[sp.Symbol], shift: int = 0) -> sp.Expr:
    return sum(
        (c * sp.Function(f"He_{k + shift}")(_x) for k, c in sorted(term_coefficients(j, lam).items())),
        sp.Integer(0),
    )


@register_derivation("edgeworth-density")
def _density() -> Derivation:
    lam = symbolic_lambdas(4)
    l3 = lam[0]
    kappa = sp.IndexedBase("kappa")
    r = sp.Symbol("r", integer=True, positive=True)
    d = Derivation(
        "edgeworth-density",
        "Edgeworth expansion of the density of a standardized sum",
        "The density of S_n = (X_1 + ... + X_n - n kappa_1)/sqrt(n kappa_2) for iid X, to any order in n^(-1/2), "
        "from the partition (Bell-polynomial) form of the characteristic function.",
        assumptions=[
            "X_i iid with finite cumulants up to the order used.",
            "Cramer's condition limsup |E exp(itX)| < 1 for the expansion to be valid uniformly (not for lattice X).",
            "The series is asymptotic in n, not convergent; the truncated density can be negative in the tails.",
        ],
        references=_REFS,
    )
    d.step(
        "Standardized cumulants of one summand.",
        sp.Eq(sp.Symbol("lambda_r"), kappa[r] / kappa[2] ** (r / 2)),
    )
    d.step(
        "Cumulants add under independent sums, so S_n has cumulants lambda_r n^(1 - r/2) for r >= 3 (mean 0, variance 1).",
        sp.Eq(sp.Function("kappa_r")(sp.Symbol("S_n")), sp.Symbol("lambda_r") * _n ** (1 - r / 2)),
    )
    d.step(
        "The characteristic function is exp(-t^2/2) times the exponential of the higher cumulants; "
        "expanding in eps = n^(-1/2) with complete Bell polynomials groups the terms by integer partitions "
        "k_1 + 2 k_2 + ... + j k_j = j of the order j.",
        sp.Eq(
            sp.Function("psi_n")(_t),
            sp.exp(-_t**2 / 2) * sp.exp(sp.Sum(sp.Symbol("lambda_{s+2}") * (sp.I * _t) ** (sp.Symbol("s") + 2) * _n ** (-sp.Symbol("s") / 2) / sp.factorial(sp.Symbol("s") + 2), (sp.Symbol("s"), 1, sp.oo))),
        ),
    )
    d.step(
        "Fourier inversion maps (it)^k exp(-t^2/2) to He_k(x) phi(x) (probabilists' Hermite polynomials), giving "
        "f_n(x) = phi(x) [1 + sum_j n^(-j/2) p_j(x)] with p_j = sum over partitions of He_(j+2r) prod_m (lambda_(m+2)/(m+2)!)^(k_m) / k_m!, r = sum k_m.",
        sp.Eq(sp.Function("f_n")(_x), sp.Function("phi")(_x) * (1 + sp.Sum(_n ** (-sp.Symbol("j") / 2) * sp.Function("p_j")(_x), (sp.Symbol("j"), 1, sp.oo)))),
    )
    for j in (1, 2, 3):
        d.step(f"Order {j} term (from the partitions of {j}).", sp.Eq(sp.Function(f"p_{j}")(_x), _pj(j, lam)))
    d.step(
        "Explicit first term, with He_3(x) written out.",
        sp.Eq(sp.Function("p_1")(_x), sp.expand(l3 / 6 * hermite_poly(3, _x))),
    )
    T = sp.Function("T")
    jj = sp.Symbol("j_i")
    d.step(
        "Truncation budget: twice the first three omitted terms that do not vanish identically (j_1 < j_2 < j_3 > k). "
        "The factor 2 assumes the terms beyond them add up to no more than they do; verified against exact laws.",
        sp.Eq(sp.Function("B_k")(_x), 2 * sp.Sum(sp.Abs(T(jj, _x)), (sp.Symbol("i"), 1, 3))),
    )
    d.truncation = (
        "Truncating after order k leaves an error O(n^-(k+1)/2) (under Cramer's condition). The first omitted term "
        "phi(x) n^-(k+1)/2 p_(k+1)(x) is that error to leading order, an estimate and not a bound: it vanishes at the "
        "zeros of p_(k+1) (and identically for odd k + 1 when the law is symmetric) while the error does not. "
        "theorycheck's budget is twice the sum of the absolute values of the first three omitted non-vanishing terms "
        "(needs kappa up to the third one's order + 2). It is checked against the exact laws of Gamma, uniform "
        "(Irwin-Hall) and normal-mixture sums over the ranges of n, order and x the checks use, where the error never "
        "exceeded 0.87 of it (tests/theory/test_edgeworth_budgets.py); the checks refuse n outside that range."
    )
    return d


@register_derivation("edgeworth-cdf")
def _cdf() -> Derivation:
    lam = symbolic_lambdas(3)
    d = Derivation(
        "edgeworth-cdf",
        "Edgeworth expansion of the distribution function",
        "Integrating the density term by term with d/dx [phi He_(k-1)] = -phi He_k.",
        assumptions=["As for the density; beyond o(n^-1/2) Cramer's condition is required (fails for lattice X)."],
        references=_REFS,
    )
    d.step(
        "Integration of a Hermite term.",
        sp.Eq(sp.Integral(sp.Function("phi")(_t) * sp.Function("He_k")(_t), (_t, -sp.oo, _x)), -sp.Function("phi")(_x) * sp.Function("He_{k-1}")(_x)),
    )
    d.step(
        "Hence F_n(x) = Phi(x) - phi(x) sum_j n^(-j/2) Q_j(x), where Q_j is p_j with every He_k replaced by He_(k-1).",
        sp.Eq(sp.Function("F_n")(_x), sp.Function("Phi")(_x) - sp.Function("phi")(_x) * sp.Sum(_n ** (-sp.Symbol("j") / 2) * sp.Function("Q_j")(_x), (sp.Symbol("j"), 1, sp.oo))),
    )
    for j in (1, 2, 3):
        d.step(f"Order {j}.", sp.Eq(sp.Function(f"Q_{j}")(_x), _pj(j, lam, shift=-1)))
    d.truncation = (
        "Budget: twice the sum of |phi(x) n^-j/2 Q_j(x)| over the first three omitted non-vanishing orders j, a bound "
        "verified against exact laws over the checks' range (the first omitted term alone vanishes at the zeros of "
        "Q_(k+1), e.g. x = +-1 for k = 0, where the error does not)."
    )
    return d


@register_derivation("edgeworth-cornish-fisher")
def _cornish_fisher() -> Derivation:
    cs = cornish_fisher_polynomials(3)
    zsym = sp.Symbol("z", real=True)
    d = Derivation(
        "edgeworth-cornish-fisher",
        "Cornish-Fisher expansion of quantiles",
        "The quantile x_p of S_n as z + sum_j n^(-j/2) c_j(z), z = Phi^-1(p), by inverting the CDF expansion order by order.",
        assumptions=["As for the CDF expansion; p fixed in (0, 1) as n grows."],
        references=_REFS
        + [
            "E. A. Cornish, R. A. Fisher, Moments and cumulants in the specification of distributions, Rev. ISI 5, 307 (1937).",
            "G. W. Hill, A. W. Davis, Generalized asymptotic expansions of Cornish-Fisher type, Ann. Math. Statist. 39, 1264 (1968).",
        ],
    )
    d.step(
        "Require F_n(x_p) = Phi(z) with x_p = z + delta, delta = sum_j eps^j c_j, eps = n^(-1/2), using the Taylor series "
        "(Phi(z+delta) - Phi(z))/phi(z) = sum_k (-1)^(k-1) He_(k-1)(z) delta^k / k! and phi(z+delta)/phi(z) = sum_k He_k(z) (-delta)^k / k!.",
        sp.Eq(sp.Function("Phi")(zsym + sp.Symbol("delta")) - sp.Function("phi")(zsym + sp.Symbol("delta")) * sp.Sum(sp.Symbol("epsilon") ** sp.Symbol("j") * sp.Function("Q_j")(zsym + sp.Symbol("delta")), (sp.Symbol("j"), 1, sp.oo)), sp.Function("Phi")(zsym)),
    )
    d.step("Collecting powers of eps, each c_j enters linearly at order j and is solved for in turn.")
    for j, c in enumerate(cs, 1):
        d.step(f"Order {j}.", sp.Eq(sp.Function(f"c_{j}")(zsym), sp.factor_terms(sp.collect(c, symbolic_lambdas(3)))))
    d.truncation = (
        "Budget: twice the sum of n^-j/2 |c_j(z)| over the first three omitted non-vanishing orders j, verified "
        "against the exact Gamma quantiles for n >= 5 and levels 0.005..0.995 (the first omitted term alone vanishes "
        "at the zeros of c_(k+1) and falls short in the tails). Numerically the same inversion runs on numpy "
        "polynomials, orders of magnitude faster than the symbolic one shown here."
    )
    return d


@register_derivation("edgeworth-lattice")
def _lattice() -> Derivation:
    eta, y, a, h = sp.symbols("eta y a h", real=True)
    r = sp.Symbol("r", integer=True, nonnegative=True)
    d = Derivation(
        "edgeworth-lattice",
        "Lattice variables: Esseen's correction and its higher orders",
        "For X on the lattice a + hZ, F_n has jumps of size ~ eta phi(x), eta = h/sqrt(n kappa_2), which the smooth "
        "expansion cannot follow; the Euler-Maclaurin summation of the local expansion adds periodic terms.",
        assumptions=["X takes values in a + hZ with maximal span h; finite cumulants up to the order used."],
        references=[
            "C.-G. Esseen, Fourier analysis of distribution functions, Acta Math. 77, 1 (1945).",
            "R. N. Bhattacharya, R. R. Rao, Normal Approximation and Asymptotic Expansions (Wiley 1976), Thm. 23.1.",
            "P. Hall, The Bootstrap and Edgeworth Expansion (Springer 1992), sec. 2.2.",
            "J. E. Kolassa, Series Approximation Methods in Statistics (Springer 2006), ch. 3.",
        ],
    )
    d.step(
        "Position of x on the lattice of S_n, in units of the span (S_n <= x iff the lattice index is <= y).",
        sp.Eq(y, (_n * (sp.Symbol("kappa_1") - a) + _x * sp.sqrt(_n * sp.Symbol("kappa_2"))) / h),
    )
    d.step(
        "Euler-Maclaurin summation of the local expansion P(S_n = x_k) ~ eta g_n(x_k) gives, with Bernoulli polynomials B_r "
        "of the fractional part {y} and the continuous expansion G_n,",
        sp.Eq(sp.Function("F_n")(_x), sp.Sum((-eta) ** r / sp.factorial(r) * sp.Function("B_r")(sp.Function(r"\operatorname{frac}")(y)) * sp.Derivative(sp.Function("G_n")(_x), (_x, r)), (r, 0, sp.oo))),
    )
    d.step(
        "The r = 1 term is Esseen's correction (B_1(u) = u - 1/2), of order n^(-1/2): the smooth curve runs through the middle of each jump.",
        sp.Eq(sp.Symbol("Delta_1"), eta * (sp.floor(y) - y + sp.Rational(1, 2)) * sp.Function("phi")(_x)),
    )
    d.step("Bernoulli polynomials used for r = 2, 3.", sp.Eq(sp.Function("B_2")(_t), sp.bernoulli(2, _t).expand()))
    d.step("and", sp.Eq(sp.Function("B_3")(_t), sp.bernoulli(3, _t).expand()))
    d.step("Order k of the lattice CDF keeps all products eta^r (n^(-1/2))^j with r + j <= k.")
    d.truncation = (
        "Budget: twice the sum over t = k + 1, k + 2, k + 3 of the absolute value of all terms with r + j = t, verified "
        "against the exact binomial laws of Bernoulli and two-point sums for n >= 20 at the lattice points within four "
        "standard deviations."
    )
    return d
