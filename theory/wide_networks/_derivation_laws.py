"""The derivation of the 1/width theory for iid parameters of any law (registered in ``_derivations``).

Every moment identity below is computed by sympy from the independence of the terms (expanding powers of
sums and replacing the moments of standardised variables), so the rendered document is the computation.
"""

from __future__ import annotations

import sympy as sp

from theory.derivation import Derivation

__all__ = ["non_gaussian_weights_derivation"]

CW, Cb, n, K, kw, kb = sp.symbols("C_W C_b n K k_w k_b", real=True)
z = sp.Symbol("z", real=True)


def _expect_independent(expr: sp.Expr, variables: list[sp.Symbol], moments: dict[int, sp.Expr]) -> sp.Expr:
    """E[expr] for independent standardised symmetric variables with E w^k = moments[k] (odd moments 0)."""
    poly = sp.Poly(sp.expand(expr), *variables)
    out = sp.Integer(0)
    for powers, coeff in poly.terms():
        term = coeff
        for p in powers:
            term *= 0 if p % 2 else (1 if p == 0 else moments[p])
        out += term
    return sp.simplify(out)


def non_gaussian_weights_derivation() -> Derivation:
    """Fourth cumulants of weighted sums, the e-terms of the recursion, the Edgeworth variance shift, the
    exact scale-invariant recursion and the law dependence of the NTK mean."""
    d = Derivation(
        "wide_networks-non-gaussian-weights", "Finite-width corrections for weights and biases of any law",
        summary="With iid standardised weights w (excess kurtosis k_w) and biases beta (k_b), a neuron given the "
                "previous layer is a sum of n independent terms: its conditional fourth cumulant "
                "Q = k_w C_W^2 n^-2 sum_j sigma_j^4 + k_b C_b^2 adds e = E Q = O(1/n) to the Gaussian four-point "
                "vertex 3v, shifts E sigma^2 of the next layer through the Edgeworth term, and propagates by the "
                "same recursion. The first layer, a sum over the d input coordinates, is taken over its exact law.",
        assumptions=["iid zero-mean symmetric weights and biases per layer, finite fourth moment (k_w, k_b > -2)",
                     "W = sqrt(C_W/n) w, b = sqrt(C_b) beta with E w^2 = E beta^2 = 1",
                     "first order in 1/n_l for the hidden layers; the first layer exact",
                     "single input for the kurtosis; pairs of inputs for the covariance and the NTK"],
        references=["Roberts, Yaida & Hanin, The Principles of Deep Learning Theory (2022), ch. 4-5 and 8",
                    "Kendall & Stuart, The Advanced Theory of Statistics, vol. 1 (cumulants of sums)",
                    "Hanin & Nica, Commun. Math. Phys. 376:287 (2020)",
                    "Owen, SIAM J. Numer. Anal. 34:1884 (1997) (randomised quasi-Monte Carlo)"],
    )
    w1, w2, w3 = sp.symbols("w_1 w_2 w_3", real=True)
    s1, s2, s3 = sp.symbols("s_1 s_2 s_3", real=True)
    mom = {2: sp.Integer(1), 4: 3 + kw}
    zc = s1 * w1 + s2 * w2 + s3 * w3
    k4 = _expect_independent(zc ** 4, [w1, w2, w3], mom) - 3 * _expect_independent(zc ** 2, [w1, w2, w3], mom) ** 2
    d.step("Fourth cumulant of a weighted sum of independent standardised terms (E w^4 = 3 + k_w), three terms "
           "expanded by sympy: cumulants of independent terms add, kappa_4(sum_j s_j w_j) = k_w sum_j s_j^4:",
           sp.Eq(sp.Symbol("kappa_4"), sp.factor(k4)))
    Q = sp.Symbol("Q", positive=True)
    d.step("So given layer l a neuron z_i = sum_j sqrt(C_W/n) w_ij sigma_j + sqrt(C_b) beta_i has conditional variance "
           "S and conditional fourth cumulant", sp.Eq(Q, kw * CW ** 2 / n ** 2 * sp.Sum(sp.Symbol("sigma_j") ** 4,
                                                                                     (sp.Symbol("j"), 1, n)) + kb * Cb ** 2))
    v, e = sp.symbols("v e", real=True)
    d.step("Unconditionally E z_i^4 = E[3 S^2 + Q] and, for i != j (conditionally independent), E z_i^2 z_j^2 = E S^2: "
           "the four-point vertex v = Cov(z_i^2, z_j^2) = Var S is the Gaussian one, and one neuron's fourth "
           "cumulant gains e = E Q:", sp.Eq(sp.Symbol(r"\kappa_{4,i}"), 3 * v + e))
    s2s, s4s, chi, h4 = sp.symbols(r"S_2 S_4 \chi_\parallel H_4", real=True)
    vl, el, Gl = sp.symbols("v_l e_l G_l", real=True)
    d.step("Recursion of e (a fresh term per layer, from E sum_j sigma_j^4 = n S_4; S_p = <sigma^p>_K the Gaussian "
           "averages at the layer's kernel):",
           sp.Eq(sp.Symbol("e_{l+1}"), kw * CW ** 2 / n * s4s + kb * Cb ** 2))
    d.step("Recursion of v (unchanged: e does not enter Cov(z_i^2, z_j^2)):",
           sp.Eq(sp.Symbol("v_{l+1}"), CW ** 2 / n * (s4s - s2s ** 2) + chi ** 2 * vl))
    kap = sp.Symbol("kappa_4", real=True)
    d.step("Edgeworth to first order for a neuron of variance K + G and fourth cumulant kappa_4 = O(1/n), with Gaussian "
           "integration by parts <f''''>_K = <f He_4(z/sqrt K)>_K / K^2:",
           sp.Eq(sp.Symbol("E f(z)"), sp.Symbol(r"\langle f\rangle_{K+G}") + kap / 24 * sp.Symbol(r"\langle f''''\rangle_K")))
    d.step("Check on f = z^4 (exact for any law): <z^4>_K + kappa_4/24 * 24 equals 3 K^2 + kappa_4:",
           sp.Eq(3 * K ** 2 + kap / 24 * sp.diff(z ** 4, z, 4), 3 * K ** 2 + kap, evaluate=False))
    d.step("So the 1/n shift of E z^2 (H_4 = <sigma^2 (z^4 - 6 K z^2 + 3 K^2)>_K; for Gaussian weights e = 0 and it is "
           "the Gaussian C_W H_4 v / (8 K^4)):",
           sp.Eq(sp.Symbol("G_{l+1}"), chi * Gl + CW * h4 * (3 * vl + el) / (24 * K ** 4)))
    Kp = sp.Symbol("K", positive=True)
    H4relu = sp.simplify(sum(sp.integrate(z ** (2 + k) * cf * sp.exp(-z ** 2 / (2 * Kp)) / sp.sqrt(2 * sp.pi * Kp),
                                          (z, 0, sp.oo)) for k, cf in ((4, 1), (2, -6 * Kp), (0, 3 * Kp ** 2))))
    d.step("For ReLU H_4 vanishes (integrated by sympy): piecewise-linear networks have no 1/n variance shift for "
           "any law (E sigma(z)^2 = A_2 E z^2 for every symmetric z):", sp.Eq(h4, H4relu))
    d.step("Output: E z^2 = K_L + G_L, excess kurtosis (3 v_L + e_L) / K_L^2 + O(1/n^2). One hidden layer: exact "
           "(given layer 1, S and Q are iid means).", None)
    q, s, m, A2, A4 = sp.symbols("q s m A_2 A_4", positive=True)
    s_new = Cb ** 2 + 2 * Cb * CW * A2 * q + CW ** 2 / n * (A4 * m + (n - 1) * A2 ** 2 * s)
    m_new = 3 * s_new + kw * CW ** 2 / n * A4 * m + kb * Cb ** 2
    d.step("Exact recursion for piecewise-linear sigma (E sigma^{2p} = A_{2p} E z^{2p}, A_p = (a_+^p + a_-^p)/2) and "
           "any symmetric laws, q = E z^2, s = E S^2, m = E z^4:",
           sp.Eq(sp.Tuple(sp.Symbol("q'"), sp.Symbol("s'"), sp.Symbol("m'")), sp.Tuple(Cb + CW * A2 * q, s_new, m_new)))
    hn = sp.simplify((m_new / (CW * A2 * q) ** 2).subs({Cb: 0, kw: 0, kb: 0, s: q ** 2, m: 3 * q ** 2}))
    d.step("Gaussian laws, zero bias, from a Gaussian layer (s = q^2, m = 3 q^2): the Hanin-Nica factor 3(1 + c/n), "
           "c = 3 A_4/A_2^2 - 1:", sp.Eq(sp.Symbol("m'/q'^2"), sp.factor(hn)))
    eps = sp.Symbol("epsilon", positive=True)
    exact1 = (m_new / (Cb + CW * A2 * q) ** 2 - 3).subs({s: q ** 2, m: 3 * q ** 2, Cb: 0, n: 1 / eps})
    first = sp.series(sp.simplify(exact1), eps, 0, 2).removeO()
    theory1 = (3 * CW ** 2 * eps * (3 * A4 - A2 ** 2) * q ** 2 + kw * CW ** 2 * eps * 3 * A4 * q ** 2) / (CW * A2 * q) ** 2
    d.step("Its expansion to first order in epsilon = 1/n (zero bias, from a Gaussian layer) equals the general "
           "(3 v + e)/K^2 with v = C_W^2 (<sigma^4> - <sigma^2>^2)/n, e = k_w C_W^2 <sigma^4>/n (difference simplified "
           "by sympy):", sp.Eq(sp.Symbol("difference"), sp.simplify(first - theory1)))
    W = sp.Symbol("w", real=True)
    cum = _expect_independent(W ** 4, [W], mom) - _expect_independent(W ** 2, [W], mom) ** 2
    d.step("NTK mean: E Theta^(l+1) = 1 + E[sigma_a sigma_b] + C_W E[sigma'_a sigma'_b Theta^(l)_jj] exactly. With two "
           "hidden layers Theta^(2)_jj contains Y = sum_k W_jk^2 sigma'_k(a) sigma'_k(b), whose joint cumulant with "
           "z_c z_d is sum_k sigma_k(c) sigma_k(d) t_k (E W^4 - (E W^2)^2) = (2 + k_w) C_W^2/n^2 sum_k ...: the weights' "
           "kurtosis enters the NTK mean at O(1/n). The standardised factor:", sp.Eq(sp.Symbol(r"\operatorname{Var}(w^2)"), cum))
    d.step("First layer: z(x_a) = sum_j A_aj w_j + c beta with A = sqrt(C_W/d) X, its cumulants "
           "kappa_k = kappa_k(w) sum_j A_aj^k + kappa_k(beta) c^k; the averages E[sigma^p sigma'^q] over it are taken over "
           "the exact law, not expanded in 1/d: Fourier inversion of the product of the terms' characteristic "
           "functions (one input; a pair in whitened coordinates) for continuous laws, product Gauss rules (exact "
           "for Rademacher atoms), or randomised quasi-Monte Carlo with the Gaussian law as control variate.", None)
    d.truncation = ("O(1/n^2). Budgets: 0 for one hidden layer (exact); for piecewise-linear activations the kurtosis's "
                    "exact remainder (the recursion above); otherwise kappa_+^2 max(1, kappa_+) for the kurtosis, "
                    "kappa_+ the excess kurtosis of a majorant recursion (every 1/n contribution in absolute value, so "
                    "the cancellation of 3v against a negative e does not shrink it), and kappa_+/2 times the majorant "
                    "of the quantity's own 1/n correction for the variance, covariance and NTK mean; calibrated against "
                    "the exact recursion above and explicit-weight Monte Carlo (theory.wide_networks.network_moments). "
                    "Student-t weights need nu > 4 for the theory and nu > 8 for a finite-variance kurtosis estimator.")
    return d
