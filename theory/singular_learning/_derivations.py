"""Derivations (rendered by ``theorycheck docs``) for singular learning theory."""

from __future__ import annotations

import sympy as sp

from theory.derivation import Derivation, register_derivation

__all__ = [
    "normal_crossing_derivation",
    "deep_linear_derivation",
    "wbic_derivation",
    "sgld_bias_derivation",
    "quadratic_degradation_derivation",
    "tms_kgon_derivation",
]

_WATANABE = "S. Watanabe, Algebraic Geometry and Statistical Learning Theory, Cambridge (2009)"
_LAU = "E. Lau, Z. Furman, G. Wang, D. Murfet, S. Wei, The local learning coefficient, arXiv:2308.12108"


@register_derivation("singular_learning-normal-crossing")
def normal_crossing_derivation() -> Derivation:
    r"""RLCT of a normal-crossing model from the poles of its zeta function, and its finite-:math:`n\beta` loss.

    Returns
    -------
    Derivation
        ``singular_learning-normal-crossing``: :math:`\lambda = \min_j (h_j+1)/(2k_j)`, the
        multiplicity, and the tilted quadrature of :math:`E_{n\beta}[K]`.

    References
    ----------
    Watanabe (2009), sec. 2.4 and Thm 6.1; Lau et al., arXiv:2308.12108.
    """
    w, z, k, h, s = sp.symbols("w z k h s", positive=True)
    lam, nb, y = sp.symbols("lambda n_beta y", positive=True)
    d = Derivation(
        "singular_learning-normal-crossing",
        "Normal-crossing models: RLCT, multiplicity and the finite-n tempered loss",
        "For K(w) = prod_j w_j^(2 k_j) and prior prod_j |w_j|^(h_j) the zeta function factorises, "
        "its largest pole is the RLCT, and the tempered posterior mean of K is a one-dimensional "
        "integral over the density of log K.",
        assumptions=["prior positive and smooth away from the coordinate hyperplanes", "k_j >= 0 integers, one positive"],
        references=[_WATANABE + ", sec. 2.4, Thm 6.1", _LAU,
                    "O. E. Barndorff-Nielsen, D. R. Cox, Asymptotic Techniques for Use in Statistics, Chapman & Hall (1989), sec. 4.2 (exponential tilting)"],
    )
    d.step("One factor of the zeta function zeta(z) = int K^z phi dw:", sp.Eq(sp.Integral(w ** (2 * k * z + h), (w, 0, 1)), 1 / (2 * k * z + h + 1)))
    d.step("Its pole is at z = -(h+1)/(2k); the RLCT is the smallest such value over j (two factors shown):", sp.Eq(lam, sp.Min(*((sp.Symbol(f"h_{j}") + 1) / (2 * sp.Symbol(f"k_{j}", positive=True)) for j in (1, 2)))))
    d.step("The multiplicity m is the number of j attaining the minimum (order of the pole).")
    d.step(
        "Finite n beta: with f_Y the density of Y = log K under the Gaussian-localised prior (a convolution of log-gamma densities),",
        sp.Eq(sp.Symbol("E_{n\\beta}[K]"), sp.Integral(sp.exp(y - nb * sp.exp(y)) * sp.Function("f_Y")(y), (y, -sp.oo, sp.oo)) / sp.Integral(sp.exp(-nb * sp.exp(y)) * sp.Function("f_Y")(y), (y, -sp.oo, sp.oo))),
    )
    t = sp.Symbol("t")
    d.step(
        "For large n beta the posterior of Y sits in the far left tail of f_Y; tilting by e^(t y) (-lambda < t <= 0) "
        "keeps a convolution of log-gamma densities (shapes a_j + t k_j), whose normalisation E[K^t] cancels in the ratio:",
        sp.Eq(sp.Symbol("E_{n\\beta}[K]"), sp.Integral(sp.exp((1 - t) * y - nb * sp.exp(y)) * sp.Function("f_Y^{(t)}")(y), (y, -sp.oo, sp.oo))
              / sp.Integral(sp.exp(-t * y - nb * sp.exp(y)) * sp.Function("f_Y^{(t)}")(y), (y, -sp.oo, sp.oo))),
    )
    d.step("t is chosen so that the tilted mean sum_j k_j (log theta + psi(a_j + t k_j)) equals log(lambda / n beta).")
    d.step("And n beta E[K] -> lambda as n beta -> oo, with a (m-1)/log(n beta) correction when m > 1.")
    d.truncation = ("The quadrature is exact up to grid and FFT round-off error (checked at run time to be below 1e-9 "
                    "relative); the asymptotic lambda is not used by the checks when m > 1.")
    return d


@register_derivation("singular_learning-deep-linear")
def deep_linear_derivation() -> Derivation:
    """Aoyagi's RLCT for deep linear networks and its reduced-rank special case.

    Returns
    -------
    Derivation
        ``singular_learning-deep-linear``, with the one-hidden-layer reduction to Aoyagi & Watanabe
        (2005) as a sympy identity.

    References
    ----------
    M. Aoyagi, Neural Networks 172 (2024) 106132, Thm 1; Aoyagi & Watanabe, Neural Networks 18 (2005) 924.
    """
    r, H1, HL, ell, a, S = sp.symbols("r H_1 H_{L+1} ell a S", nonnegative=True)
    P = sp.Symbol("P_Sigma")
    M, N, H = sp.symbols("M N H", positive=True)
    lam = sp.Symbol("lambda")
    d = Derivation(
        "singular_learning-deep-linear",
        "Deep linear networks: Aoyagi's learning coefficient",
        "The RLCT of x -> W_L ... W_1 x with widths H_1..H_{L+1} and a true map of rank r, "
        "with its reduction to Aoyagi-Watanabe reduced-rank regression for one hidden layer.",
        assumptions=["realizable teacher of rank r", "prior positive at the true parameters", "Delta_i = H_i - r"],
        references=[
            "M. Aoyagi, Consideration on the learning efficiency of multiple-layered neural networks with linear units, Neural Networks 172 (2024) 106132, Thm 1",
            "M. Aoyagi, S. Watanabe, Stochastic complexities of reduced rank regression in Bayesian estimation, Neural Networks 18 (2005) 924",
        ],
    )
    d.step("Choose the l+1 smallest Delta_i (set Sigma) with sum S >= l max_Sigma Delta and S < l min_{not Sigma} Delta; a = S mod l.")
    expr = (r * (H1 + HL) - r**2) / 2 + a * (ell - a) / (4 * ell) - (ell - 1) * S**2 / (4 * ell) + P / 2
    d.step("With P_Sigma = sum_{i<j in Sigma} Delta_i Delta_j:", sp.Eq(lam, expr))
    d.step("The multiplicity is m = a(l - a) + 1.", sp.Eq(sp.Symbol("m"), a * (ell - a) + 1))
    x, yv, zv = M - r, H - r, N - r
    one_hidden = expr.subs({H1: M, HL: N, ell: 2, S: x + yv + zv, P: x * yv + x * zv + yv * zv, a: 0})
    aw = (2 * (H + r) * (M + N) - (M - N) ** 2 - (H + r) ** 2) / 8
    d.step("One hidden layer, all three widths in Sigma (l = 2, a = 0): Aoyagi-Watanabe's central case,", sp.Eq(sp.expand(one_hidden), sp.expand(aw), evaluate=False))
    d.step("and l = 1 with Sigma = {input, output} gives the regular value MN/2.", sp.Eq(sp.expand(expr.subs({H1: M, HL: N, ell: 1, a: 0, S: 0, P: (M - r) * (N - r)})), M * N / 2, evaluate=False))
    return d


@register_derivation("singular_learning-wbic")
def wbic_derivation() -> Derivation:
    r"""The WBIC temperature :math:`\beta = 1/\ln n` and the LLC estimator.

    Returns
    -------
    Derivation
        ``singular_learning-wbic``.

    References
    ----------
    Watanabe, JMLR 14 (2013) 867, Thm 4; Lau et al., arXiv:2308.12108, Def. 1.
    """
    n, beta, lam, EL, Ls = sp.symbols(r"n beta \hat{\lambda} \mathbb{E}_\beta[L_n] L_n(w^{*})", positive=True)
    d = Derivation(
        "singular_learning-wbic",
        "WBIC temperature and the local learning coefficient estimator",
        "Sampling the localised posterior exp(-n beta L_n(w) - gamma |w - w*|^2 / 2) at the WBIC "
        "temperature and measuring the excess expected loss estimates the local learning coefficient.",
        assumptions=["w* a local minimum of L_n", "gamma small against the curvature of regular directions"],
        references=["S. Watanabe, A widely applicable Bayesian information criterion, JMLR 14 (2013) 867, Thm 4", _LAU + ", Def. 1"],
    )
    d.step("WBIC inverse temperature:", sp.Eq(beta, 1 / sp.log(n)))
    d.step("LLC estimator:", sp.Eq(lam, n * beta * (EL - Ls)))
    return d


@register_derivation("singular_learning-sgld-bias")
def sgld_bias_derivation() -> Derivation:
    r"""Exact step-size bias of SGLD on a quadratic loss (the AR(1) stationary variance).

    Returns
    -------
    Derivation
        ``singular_learning-sgld-bias``; its result is
        :math:`E\hat\lambda = n\beta h/(2A(1 - \epsilon A/4))` per direction, :math:`A = n\beta h + \gamma`.

    References
    ----------
    Welling & Teh, ICML 2011; Brockwell & Davis, *Time Series: Theory and Methods* (1991), sec. 3.3.
    """
    eps, A, v, h, nb, g, t = sp.symbols("epsilon A v h n_beta gamma t", positive=True)
    rho = 1 - eps * A / 2
    d = Derivation(
        "singular_learning-sgld-bias",
        "SGLD step-size bias on a quadratic loss (exact)",
        "Full-batch SGLD on L - L* = h w^2 / 2 is a Gaussian AR(1) chain; its stationary variance "
        "gives the exact expected LLC estimate at any step size.",
        assumptions=["quadratic loss", "full-batch gradients", "chain started at w*"],
        references=["M. Welling, Y. W. Teh, Bayesian learning via stochastic gradient Langevin dynamics, ICML 2011",
                    "P. J. Brockwell, R. A. Davis, Time Series: Theory and Methods, Springer (1991), sec. 3.3 (AR(1) variance)"],
    )
    d.step("Update with A = n beta h + gamma:", sp.Eq(sp.Symbol("w_{t+1}"), rho * sp.Symbol("w_t") + sp.sqrt(eps) * sp.Symbol("xi_t")))
    vs = sp.solve(sp.Eq(v, rho**2 * v + eps), v)[0]
    d.step("Stationary variance solves v = rho^2 v + epsilon:", sp.Eq(v, sp.simplify(vs)))
    d.step("From w_0 = w*, Var w_t = v (1 - rho^(2t)).", sp.Eq(sp.Symbol("Var(w_t)"), vs * (1 - rho ** (2 * t))))
    lam = sp.simplify((nb * h / 2 * vs).subs(A, nb * h + g))
    d.step("Expected estimate per direction (stationary); diverges at epsilon A = 4:", sp.Eq(sp.Symbol("E[lambda_hat]"), lam))
    return d


@register_derivation("singular_learning-quadratic-degradation")
def quadratic_degradation_derivation() -> Derivation:
    r"""How fast a behaviour whose loss is a quadratic form degrades on the tempered local posterior.

    Returns
    -------
    Derivation
        ``singular_learning-quadratic-degradation``: :math:`E[B - B^*] = \tfrac12\sum_i M_{ii}/A_i`,
        :math:`A_i = n\beta h_i + \gamma`, and its low-temperature rate :math:`\tfrac{T}{2n}\mathrm{tr}(MH^{-1})`.

    References
    ----------
    Watanabe (2009), sec. 1.4; Welling & Teh, ICML 2011; Brockwell & Davis (1991), sec. 3.3.
    """
    x, A, Mii, nb, h, g, T, n, eps = sp.symbols("x A M_ii n_beta h gamma T n epsilon", positive=True)
    d = Derivation(
        "singular_learning-quadratic-degradation",
        "Natural degradation of a quadratic behaviour",
        "On the localized tempered posterior of a loss that is quadratic near w*, a behaviour "
        "B(w) = B* + (w - w*)^T M (w - w*)/2 (a sub-task loss at its own minimum) rises on average by "
        "half the trace of M against the posterior covariance: linearly in the temperature at low "
        "temperature, with slope tr(M H^-1)/(2n).",
        assumptions=["L - L* = sum_i h_i x_i^2 / 2 in the eigenbasis of the Hessian H (x = w - w*)",
                     "B - B* = x^T M x / 2 with M symmetric (any basis change is absorbed in M)",
                     "isotropic localization gamma, so the posterior coordinates are independent"],
        references=[_WATANABE + ", sec. 1.4 (regular models)", _LAU,
                    "M. Welling, Y. W. Teh, Bayesian learning via stochastic gradient Langevin dynamics, ICML 2011"],
    )
    dens = sp.exp(-A * x**2 / 2)
    var = sp.simplify(sp.integrate(x**2 * dens, (x, -sp.oo, sp.oo)) / sp.integrate(dens, (x, -sp.oo, sp.oo)))
    d.step("Each coordinate of the posterior exp(-n beta L - gamma |x|^2/2) is Gaussian with A = n beta h + gamma:",
           sp.Eq(sp.Symbol("E[x_i^2]"), var))
    d.step("Coordinates are independent, so E[x_i x_j] = 0 for i != j and only the diagonal of M enters:",
           sp.Eq(sp.Symbol("E[B - B^*]"), sp.Sum(Mii * var / 2, (sp.Symbol("i"), 1, sp.Symbol("d")))))
    term = (Mii / (2 * A)).subs(A, nb * h + g)
    d.step("Per direction, with A = n beta h + gamma:", sp.Eq(sp.Symbol("e_i"), term))
    low = sp.limit(term.subs({g: 0, nb: n / T}) / T, T, 0)
    d.step("At gamma = 0 and n beta = n / T the increase is linear in T; its slope per direction:",
           sp.Eq(sp.Limit(sp.Symbol("e_i") / T, T, 0), low))
    d.step("Summed: E[B - B^*] = T tr(M H^-1) / (2n) + O(gamma T^2); the loss itself (M = H) gives d T/(2n) = lambda T / n, "
           "the degradation law of a regular model (lambda = d/2).")
    v_sgld = sp.simplify(sp.solve(sp.Eq(sp.Symbol("v"), (1 - eps * A / 2) ** 2 * sp.Symbol("v") + eps), sp.Symbol("v"))[0])
    d.step("Sampled by full-batch SGLD at step epsilon (the AR(1) law of singular_learning-sgld-bias), the variance is inflated:",
           sp.Eq(sp.Symbol("v_i"), v_sgld))
    d.step("and from x_0 = 0 the variance at step t is v_i (1 - (1 - epsilon A_i/2)^(2t)): the measured prediction averages "
           "M_ii v_i (1 - rho_i^(2t)) / 2 over the steps at which B is evaluated.")
    d.truncation = ("Exact for a quadratic loss and behaviour; for a network, the quadratic (Laplace) approximation holds "
                    "at temperatures where the posterior stays inside the quadratic region of w* (regular directions).")
    return d


@register_derivation("singular_learning-tms-kgon")
def tms_kgon_derivation() -> Derivation:
    r"""Local learning coefficient of the :math:`k`-gon critical points of the toy model of superposition.

    Returns
    -------
    Derivation
        ``singular_learning-tms-kgon``: :math:`\lambda = (3k - 1 + 3\sigma)/2` from the rank of the
        Hessian transverse to the exactly flat directions, and the published :math:`c = 6` values.

    References
    ----------
    Z. Chen, E. Lau, J. Mendel, S. Wei, D. Murfet, arXiv:2310.06301 v1; Watanabe (2009), sec. 7.1.
    """
    k, c, s, r = sp.symbols("k c sigma r", integer=True, nonnegative=True)
    lam = sp.Symbol("lambda")
    d = Derivation(
        "singular_learning-tms-kgon",
        "Toy model of superposition: the local learning coefficient of the k-gon critical points",
        "At a k-gon critical point of ReLU(W^T W x + b) (W 2 x c) on one-hot inputs mu e_i, the loss is a nondegenerate "
        "quadratic transverse to its flat directions, and flat in them exactly, so lambda is half the Hessian's rank.",
        assumptions=["two hidden dimensions; inputs x = mu e_i, i uniform on the c features, mu ~ U[0, 1] (the "
                     "high-sparsity limit of Chen et al., eq. (2))",
                     "5 <= k <= 8 live columns on a regular k-gon with radius l* and biases b* < 0 (the paper's critical points)",
                     "dead columns W_j = 0; sigma of them with the positive bias 1/(2c), the others with a negative bias",
                     "the Hessian of the live block has rank 3k - 1 (the O(2) orbit is its only null direction; checked "
                     "numerically at the critical points the checks sample)"],
        references=["Z. Chen, E. Lau, J. Mendel, S. Wei, D. Murfet, Dynamical versus Bayesian phase transitions in a toy "
                    "model of superposition, arXiv:2310.06301 v1 (2023): Lemma 3.1, appendix E, local learning "
                    "coefficients of the c = 6 critical points",
                    _WATANABE + ", sec. 7.1", _LAU],
    )
    d.step("Parameters: the 2 x c weights and c biases,", sp.Eq(sp.Symbol("d"), 3 * c))
    d.step("A dead feature j with b_j < 0: for small W_j every pre-activation it enters (W_j . W_i mu + b_i, "
           "|W_j|^2 mu + b_j, W_i . W_j mu + b_j) stays negative, so the loss does not depend on (W_j, b_j): "
           "3 exactly flat directions per such feature, contributing 0 to lambda.")
    d.step("A dead feature with b_j = 1/(2c) > 0: output j is active, equal to b_j + W_j . W x, a nondegenerate quadratic in "
           "(W_j, b_j) (the live columns span the plane): 3 directions of positive curvature.")
    d.step("The live block (3k parameters) is invariant under the rotations O(2) of the hidden plane: one flat direction, "
           "the rest nondegenerate, so the Hessian's rank is", sp.Eq(r, 3 * k - 1 + 3 * s))
    d.step("Locally the loss is K(u) = sum_{i<=r} h_i u_i^2 (h_i > 0) in suitable coordinates, constant in the other d - r; "
           "its zeta function has its largest pole at -r/2, so", sp.Eq(lam, (r) / 2))
    expr = sp.Rational(1, 2) * (3 * k - 1 + 3 * s)
    d.step("that is", sp.Eq(lam, expr))
    d.step("At c = 6 this gives the published values: 5-gon, 5+-gon (one positive dead bias) and 6-gon,",
           sp.Eq(sp.Tuple(expr.subs({k: 5, s: 0}), expr.subs({k: 5, s: 1}), expr.subs({k: 6, s: 0})),
                 sp.Tuple(7, sp.Rational(17, 2), sp.Rational(17, 2)), evaluate=False))
    d.step("and for the c-gon (k = c, sigma = 0) the regular count minus the orbit,", sp.Eq(expr.subs({k: c, s: 0}), (3 * c - 1) / sp.Integer(2), evaluate=False))
    d.truncation = "Exact: lambda is an integer or half-integer; no expansion is truncated."
    return d
