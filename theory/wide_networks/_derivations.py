"""Derivations of the wide-network results, rendered by ``theorycheck docs``.

Each factory builds its equations with sympy (Gaussian integrals done symbolically
where they are tractable), so the rendered document is the computation.
References: Roberts, Yaida & Hanin (2022); Cho & Saul (2009); Williams (1997); Neal (1996);
Lee et al. (2018); Hanin & Nica (2020); Halverson, Maiti & Stoner (2021).
"""

from __future__ import annotations

import sympy as sp

from theory.derivation import Derivation, register_derivation
from theory.wide_networks._derivation_laws import non_gaussian_weights_derivation

__all__ = ["kernels_derivation", "finite_width_derivation", "exact_moments_derivation", "density_derivation",
           "multi_input_derivation", "non_gaussian_weights_derivation"]

register_derivation("wide_networks-non-gaussian-weights")(non_gaussian_weights_derivation)

K, Kp, K12, CW, Cb, n, z = sp.symbols("K K' K_12 C_W C_b n z", positive=True)
t = sp.Symbol("theta", real=True)
ap, am = sp.symbols("a_+ a_-", real=True)


def _gauss(expr: sp.Expr, var: sp.Symbol = z, lo: object = -sp.oo) -> sp.Expr:
    """<expr>_K over z ~ N(0, K) (restricted to z > lo)."""
    return sp.simplify(sp.integrate(expr * sp.exp(-var ** 2 / (2 * K)) / sp.sqrt(2 * sp.pi * K), (var, lo, sp.oo)))


def _pl_moment(p: int, m: int) -> sp.Expr:
    """<sigma^{2p} z^{2m}>_K for sigma = a_+ z 1[z>0] + a_- z 1[z<0]."""
    half = _gauss(z ** (2 * p + 2 * m), lo=0)
    return sp.simplify((ap ** (2 * p) + am ** (2 * p)) * half)


@register_derivation("wide_networks-kernels")
def kernels_derivation() -> Derivation:
    """NNGP and NTK recursions with the arc-cosine and erf closed forms."""
    d = Derivation(
        "wide_networks-kernels", "Infinite-width kernels of MLPs (NNGP and NTK)",
        summary="Layer-by-layer recursion of the output covariance (NNGP) and of the neural tangent kernel "
                "for any depth and per-layer C_W, C_b; closed forms for piecewise-linear and erf activations.",
        assumptions=["iid Gaussian weights N(0, C_W/n_{l-1}) and biases N(0, C_b)", "all hidden widths -> infinity",
                     "NTK parameterisation (one learning rate for unit-variance parameters) unless stated"],
        references=["Neal (1996); Lee et al., ICLR 2018 (arXiv:1711.00165)", "Cho & Saul, NeurIPS 2009",
                    "Williams, NeurIPS 1997", "Jacot, Gabriel & Hongler, NeurIPS 2018",
                    "Lee et al., NeurIPS 2019, App. F; Sohl-Dickstein et al., arXiv:2001.07301"],
    )
    Kn, Th, Thn, ss, dd = sp.symbols(r"K^{(l+1)} \Theta^{(l)} \Theta^{(l+1)} \langle\sigma\sigma\rangle \langle\sigma'\sigma'\rangle")
    d.step("NNGP recursion (the pair (u, v) is Gaussian with the layer-l covariance):", sp.Eq(Kn, Cb + CW * ss))
    d.step("NTK recursion, NTK parameterisation:", sp.Eq(Thn, Kn + CW * dd * Th))
    d.step("NTK recursion, standard parameterisation with learning rates eta/n_{l-1} (weights) and eta (biases); "
           "every layer's bias is trained (also when C_b = 0 initialises it at zero), contributing 1:",
           sp.Eq(Thn, ss + 1 + CW * dd * Th))
    J = sp.sin(t) + (sp.pi - t) * sp.cos(t)
    Jm = sp.sin(t) - t * sp.cos(t)
    s = sp.sqrt(K * Kp)
    pl = s / (2 * sp.pi) * ((ap ** 2 + am ** 2) * J - 2 * ap * am * Jm)
    d.step("Piecewise-linear sigma = a_+ z 1[z>0] + a_- z 1[z<0], theta = arccos(K_12/sqrt(K K')) (Cho & Saul 2009):",
           sp.Eq(ss, pl))
    d.step("Check: for the identity (a_+ = a_- = 1) this is the linear kernel sqrt(K K') cos(theta) = K_12:",
           sp.Eq(ss, sp.simplify(pl.subs({ap: 1, am: 1}))))
    d.step("Derivative pair: orthant probabilities of (u, v):",
           sp.Eq(dd, ((ap ** 2 + am ** 2) * (sp.pi - t) + 2 * ap * am * t) / (2 * sp.pi)))
    d.step("Piecewise-constant sigma = b_+ 1[z>0] + b_- 1[z<0] (step: (1, 0), sign: (1, -1)): orthant probabilities, "
           "the degree-0 arc-cosine kernel (Cho & Saul 2009):",
           sp.Eq(ss, ((sp.Symbol("b_+") ** 2 + sp.Symbol("b_-") ** 2) * (sp.pi - t)
                      + 2 * sp.Symbol("b_+") * sp.Symbol("b_-") * t) / (2 * sp.pi)))
    d.step("Its derivative is the distribution (b_+ - b_-) delta(z), so the derivative pair is the Gaussian density "
           "of (u, v) at the origin (infinite when u = v, i.e. on the NTK diagonal):",
           sp.Eq(dd, (sp.Symbol("b_+") - sp.Symbol("b_-")) ** 2 / (2 * sp.pi * sp.sqrt(K * Kp - K12 ** 2))))
    d.step("erf (Williams 1997):", sp.Eq(ss, 2 / sp.pi * sp.asin(2 * K12 / sp.sqrt((1 + 2 * K) * (1 + 2 * Kp)))))
    d.step("erf derivative pair: E exp(-u^2 - v^2) = det(1 + 2 Sigma)^(-1/2):",
           sp.Eq(dd, 4 / sp.pi / sp.sqrt((1 + 2 * K) * (1 + 2 * Kp) - 4 * K12 ** 2)))
    d.truncation = ("Closed forms are exact; smooth activations use 2D Gauss-Hermite quadrature "
                    "(symmetric factorisation), error reported as the difference to the 3/4-order rule; "
                    "non-smooth callables without a closed form are refused.")
    return d


@register_derivation("wide_networks-finite-width")
def finite_width_derivation() -> Derivation:
    """Four-point vertex, variance correction and kurtosis to O(1/n); the ReLU case symbolically."""
    d = Derivation(
        "wide_networks-finite-width", "Finite-width corrections: four-point vertex, variance, excess kurtosis",
        summary="The output of a finite-width MLP is nearly Gaussian; its connected four-point function and the "
                "correction to its variance are O(1/n) and obey layer-to-layer recursions.",
        assumptions=["single input", "Gaussian weights and biases", "first order in 1/n_l"],
        references=["Roberts, Yaida & Hanin, The Principles of Deep Learning Theory (2022), ch. 4-5",
                    "Yaida, arXiv:1910.00019"],
    )
    v, vn, G, Gn, chi, Kn = sp.symbols(r"v_l v_{l+1} G_l G_{l+1} \chi_\parallel K_{l+1}")
    s2, s4, s2z2, s2z4 = sp.symbols("S_2 S_4 S_22 S_24")
    d.step("Notation: S_p = <sigma^p>_K, S_2q = <sigma^2 z^q>_K (Gaussian averages, z ~ N(0, K_l)). Kernel:", sp.Eq(Kn, Cb + CW * s2))
    d.step("Parallel susceptibility, C_W d<sigma^2>/dK:", sp.Eq(chi, CW / (2 * K ** 2) * (s2z2 - K * s2)))
    d.step("Four-point vertex v_l = Cov(z_i^2, z_j^2) (i != j), v_1 = 0:",
           sp.Eq(vn, CW ** 2 / n * (s4 - s2 ** 2) + chi ** 2 * v))
    d.step("Variance correction: second-order Taylor term of <sigma^2> in the fluctuating kernel "
           "(d^2/dK^2 <f> = <f He_4>/(4K^4)), G_1 = 0:",
           sp.Eq(Gn, chi * G + CW / (8 * K ** 4) * (s2z4 - 6 * K * s2z2 + 3 * K ** 2 * s2) * v))
    d.step("Output: E z^2 = K_L + G_L and excess kurtosis gamma_2 = 3 v_L / K_L^2 (a single neuron's fourth cumulant is 3v).",
           sp.Eq(sp.Symbol("gamma_2"), 3 * v / K ** 2))
    relu = {ap: 1, am: 0}
    m = {s2: _pl_moment(1, 0).subs(relu), s4: _pl_moment(2, 0).subs(relu), s2z2: _pl_moment(1, 1).subs(relu),
         s2z4: _pl_moment(1, 2).subs(relu)}
    d.step("ReLU Gaussian averages (integrated symbolically):", sp.Eq(sp.Tuple(*m), sp.Tuple(*m.values())))
    chi_r = sp.simplify((CW / (2 * K ** 2) * (s2z2 - K * s2)).subs(m).subs(CW, 2))
    d.step("At criticality C_W = 2 the ReLU susceptibility is 1:", sp.Eq(chi, chi_r))
    d.step("so each layer adds 5 K^2 / n_l to v, G = 0, and the kurtosis is 15 sum 1/n_l:",
           sp.Eq(sp.Symbol(r"\Delta v"), sp.simplify((CW ** 2 / n * (s4 - s2 ** 2)).subs(m).subs(CW, 2))))
    d.truncation = ("O(1/n^2). Budget used by the checks: 0 for one hidden layer (exact), the exact remainder for "
                    "scale-invariant activations at zero bias, otherwise the square of the relative 1/n correction.")
    return d


@register_derivation("wide_networks-exact-moments")
def exact_moments_derivation() -> Derivation:
    """Hanin-Nica product formula from the Gaussian scale mixture."""
    d = Derivation(
        "wide_networks-exact-moments", "Exact finite-width moments of scale-invariant networks",
        summary="With zero bias and sigma(lambda z) = lambda sigma(z), every layer's norm factors out: the output is "
                "sqrt(K_1 prod_l Y_l) g with independent Y_l = (C_W/n_l) sum_i sigma(g_i)^2.",
        assumptions=["zero bias", "Gaussian weights", "single input", "piecewise-linear activation"],
        references=["Hanin & Nica, Commun. Math. Phys. 376:287 (2020)", "Roberts, Yaida & Hanin (2022), sec. 5"],
    )
    A2, A4 = (ap ** 2 + am ** 2) / 2, (ap ** 4 + am ** 4) / 2
    X2 = _pl_moment(1, 0).subs(K, 1) / 1
    X4 = _pl_moment(2, 0).subs(K, 1)
    d.step("Moments of one summand X = sigma(g)^2:", sp.Eq(sp.Tuple(sp.Symbol("E X"), sp.Symbol("E X^2")), sp.Tuple(X2, X4)))
    EY2 = sp.simplify((X4 + (n - 1) * X2 ** 2) / (n * X2 ** 2))
    d.step("R_Y = E Y^2 / (E Y)^2 for the mean of n iid summands:", sp.Eq(sp.Symbol("R_Y"), EY2))
    c = sp.Symbol("c")
    d.step("i.e. 1 + c/n with", sp.Eq(c, sp.simplify(3 * A4 / A2 ** 2 - 1)))
    d.step("Product formula for R_4 = E z^4/(E z^2)^2 (Gaussian E g^4 = 3):",
           sp.Eq(sp.Symbol("R_4"), 3 * sp.Product(1 + c / sp.Symbol("n_l"), (sp.Symbol("l"), 1, sp.Symbol("L-1")))))
    eps = sp.Symbol("epsilon")
    d.step("Expanded to first order for two layers with 1/n_1 = epsilon, 1/n_2 = 2 epsilon: 3 + 3c sum_l 1/n_l, the 1/n four-point-vertex prediction",
           sp.Eq(sp.Symbol("R_4"),
                 sp.series(3 * (1 + c * eps) * (1 + 2 * c * eps), eps, 0, 2).removeO()))
    d.step("Zero-bias ReLU: atom at 0 when a layer is entirely inactive:",
           sp.Eq(sp.Symbol("P(z=0)"), 1 - sp.Product(1 - 2 ** -sp.Symbol("n_l"), (sp.Symbol("l"), 1, sp.Symbol("L-1")))))
    d.truncation = "Exact at every width; higher even moments from the cumulants of X (additive over the n_l summands)."
    return d


@register_derivation("wide_networks-edgeworth-density")
def density_derivation() -> Derivation:
    """One hidden layer as an iid sum and its Edgeworth density."""
    d = Derivation(
        "wide_networks-edgeworth-density", "Output density of a one-hidden-layer network in 1/width",
        summary="z = n^(-1/2) sum_i X_i with iid symmetric X_i = sqrt(C_W) w_i sigma(z_i) + sqrt(C_b) beta_i.",
        assumptions=["one hidden layer", "single input", "Gaussian weights and biases"],
        references=["Halverson, Maiti & Stoner, arXiv:2008.08601", "Petrov (1975), ch. VI",
                    "Gil-Pelaez, Biometrika 38:481 (1951)"],
    )
    s2, s4, s6 = sp.symbols("S_2 S_4 S_6")
    k2, k4, k6 = CW * s2 + Cb, 3 * CW ** 2 * (s4 - s2 ** 2), CW ** 3 * (15 * s6 - 45 * s4 * s2 + 30 * s2 ** 3)
    d.step("Cumulants of one summand, S_p = <sigma^p>_{K_1} (odd cumulants vanish):",
           sp.Eq(sp.Tuple(*sp.symbols("kappa_2 kappa_4 kappa_6")), sp.Tuple(k2, k4, k6)))
    x = sp.Symbol("x", real=True)
    k2s, k4s = sp.symbols("kappa_2 kappa_4", positive=True)
    phi = sp.exp(-x ** 2 / 2) / sp.sqrt(2 * sp.pi)
    He4 = x ** 4 - 6 * x ** 2 + 3
    f = phi * (1 + k4s / (24 * n * k2s ** 2) * He4)
    d.step("Density of x = z / sqrt(kappa_2) to O(1/n) (the n^(-3/2) term vanishes by symmetry):", sp.Eq(sp.Symbol("f(x)"), f))
    d.step("Normalisation check:", sp.Eq(sp.Symbol("int f"), sp.simplify(sp.integrate(f, (x, -sp.oo, sp.oo)))))
    tt, lam = sp.symbols("t lambda", positive=True)
    psi, F = sp.Function("psi"), sp.Function("F")
    phi_t = sp.exp(-Cb * tt ** 2 / 2) * psi(CW * tt ** 2 / (2 * n)) ** n
    d.step("Exact reference: given the hidden layer z ~ N(0, S), so the characteristic function is "
           "phi(t) = exp(-C_b t^2/2) psi(C_W t^2 / 2n)^n with psi(lambda) = E exp(-lambda sigma(z_1)^2), and "
           "Gil-Pelaez inversion gives the exact CDF:",
           sp.Eq(F(x), sp.Rational(1, 2) + sp.Integral(sp.sin(tt * x) / tt * phi_t, (tt, 0, sp.oo)) / sp.pi))
    d.truncation = ("First omitted term is O(1/n^2) (kappa_6 and kappa_4^2), an estimate only; the check's budget is "
                    "the expansion's error against the exact CDF above (numerical inversion with an error bound).")
    return d


@register_derivation("wide_networks-multi-input-vertex")
def multi_input_derivation() -> Derivation:
    """Connected four-point function of a one-hidden-layer network on several inputs."""
    d = Derivation(
        "wide_networks-multi-input-vertex", "Multi-input four-point vertex of a one-hidden-layer network",
        summary="Given the hidden layer the output is Gaussian with covariance Sigma_ab = C_b + (C_W/n) sum_i "
                "sigma_i(a) sigma_i(b); Isserlis' theorem turns the connected four-point function into covariances "
                "of Sigma, which are iid means over the n hidden units.",
        assumptions=["one hidden layer", "Gaussian weights and biases", "exact at every width"],
        references=["Roberts, Yaida & Hanin (2022), sec. 4.2-4.3", "Isserlis, Biometrika 12:134 (1918)"],
    )
    a, b, c, e = sp.symbols("a b c d")
    S = sp.IndexedBase("Sigma")
    sg = sp.IndexedBase("sigma")
    kap = sp.Indexed(sp.IndexedBase("kappa"), a, b, c, e)
    d.step("Isserlis given the hidden layer, then subtract the Wick terms of K = E Sigma:",
           sp.Eq(kap, sp.Function("Cov")(S[a, b], S[c, e]) + sp.Function("Cov")(S[a, c], S[b, e])
                 + sp.Function("Cov")(S[a, e], S[b, c])))
    avg = sp.Function("E")
    d.step("Sigma is an iid mean over the n hidden units, each sigma(z_i) a Gaussian process with kernel K^(1):",
           sp.Eq(sp.Function("Cov")(S[a, b], S[c, e]),
                 CW ** 2 / n * (avg(sg[a] * sg[b] * sg[c] * sg[e]) - avg(sg[a] * sg[b]) * avg(sg[c] * sg[e]))))
    d.step("For two inputs every average is a two-dimensional Gaussian integral (Gauss-Hermite); for a single input "
           "kappa_aaaa = 3 v_2, the four-point vertex of the single-input recursion.", None)
    d.truncation = "Exact at every width for one hidden layer; deeper networks need the multi-input vertex recursion (not implemented)."
    return d
