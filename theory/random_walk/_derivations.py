"""Registered derivations of the random-walk area: ``random_walk-pca`` and ``random_walk-sgd``."""

from __future__ import annotations

import sympy as sp

from theory.derivation import Derivation, register_derivation

_REF_AS = ("J. Antognini, J. Sohl-Dickstein, PCA of high dimensional random walks with comparison to neural "
           "network training, NeurIPS 2018, arXiv:1806.08805")


@register_derivation("random_walk-pca")
def _pca() -> Derivation:
    t, s, k, T, d = sp.symbols("t s k T d", positive=True, integer=True)
    sigma = sp.Symbol("sigma", positive=True)
    lam = 1 / (4 * sp.sin(sp.pi * k / (2 * T)) ** 2)
    ratio = lam * 6 / (T**2 - 1)
    eps = sp.Symbol("epsilon", positive=True)
    lk, lj, j = sp.symbols("lambda_k lambda_j j", positive=True)
    c_k = sp.Symbol("c_k", positive=True)
    out = (
        Derivation(
            "random_walk-pca",
            "PCA of a high-dimensional random walk",
            "Explained-variance ratios and principal components over time of a d-dimensional "
            "Gaussian random walk of T steps, exact for finite T, with the first finite-d corrections "
            "and the bounds used for their remainders.",
            assumptions=[
                ("increments iid with mean 0 and covariance sigma^2 I_d (Gaussian for the finite-d terms); "
                 "the trajectory is centred over time before PCA"),
                "expected Gram matrix exact for any d; fluctuations are Wishart with d degrees of freedom",
            ],
            references=[
                _REF_AS,
                "D. N. Lawley, Biometrika 43 (1956) 128 (bias of sample eigenvalues)",
                "T. W. Anderson, Ann. Math. Statist. 34 (1963) 122 (eigenvector asymptotics)",
            ],
            truncation=("Finite-d terms of order 1/d are given.  The O(1/d^2) remainders are bounded by "
                        "|Delta_k| (ratios) and 4 c_k max_j c_j (overlaps), calibrated against Monte Carlo "
                        "of Gaussian walks for 12 <= T <= 40, 20 <= d <= 200."),
        )
        .step("The walk is x_t = sum_{s<=t} xi_s, so E<x_t, x_s> = d sigma^2 min(t, s).",
              sp.Eq(sp.Symbol("E<x_t,x_s>"), d * sigma**2 * sp.Min(t, s)))
        .step("Centring over time multiplies by C = I - 11^T/T on both sides: M = C L L^T C. "
              "M^+ is the Neumann discrete Laplacian, whose eigenvectors are cosines.",
              sp.Eq(sp.Function("u_k")(t), sp.cos(sp.pi * k * (t - sp.Rational(1, 2)) / T)))
        .step("The eigenvalues are the inverse Laplacian eigenvalues.", sp.Eq(sp.Symbol("lambda_k"), lam))
        .step("Their sum is tr M = (T^2 - 1)/6.", sp.Eq(sp.Sum(lam, (k, 1, T - 1)), (T**2 - 1) / 6))
        .step("Explained-variance ratio of PC k.", sp.Eq(sp.Symbol("r_k"), ratio))
        .step("For T -> infinity the ratios tend to 6/(pi^2 k^2) (evaluated with T = 1/epsilon, epsilon -> 0).",
              sp.Eq(sp.Limit(ratio, T, sp.oo), sp.limit(ratio.subs(T, 1 / eps), eps, 0)))
        .step("Finite d: sample eigenvalue bias (Lawley 1956); the sum runs over j != k.",
              sp.Eq(sp.Symbol(r"\mathbb{E}\hat{\lambda}_k") - lk, sp.Sum(lk * lj / (lk - lj), (j, 1, T - 1)) / d))
        .step("Finite d: overlap of the sample PC with its cosine (Anderson 1963); the sum runs over j != k.",
              sp.Eq(sp.Symbol(r"\mathbb{E}|\langle\hat{u}_k,u_k\rangle|^2"), 1 - c_k))
        .step("The first-order overlap term c_k.",
              sp.Eq(c_k, sp.Sum(lk * lj / (lk - lj) ** 2, (j, 1, T - 1)) / d))
    )
    return out


@register_derivation("random_walk-sgd")
def _sgd() -> Derivation:
    T, N, B = sp.symbols("T N B", positive=True, integer=True)
    beta, rho, p, Q2, trTh, delta = sp.symbols(r"beta rho p \|Q\|_2 \operatorname{tr}\Theta delta", positive=True)
    rk, eps = sp.symbols("r_k epsilon", positive=True)
    trS = sp.Symbol(r"\operatorname{tr}\Sigma", positive=True)
    rho_max = sp.Symbol(r"\rho_{\max}", positive=True)
    eta, Xi, Kc, A, s = sp.symbols("eta Xi K A_T s", positive=True)
    return (
        Derivation(
            "random_walk-sgd",
            "When minibatch SGD is a random walk: drift and linearisation budgets",
            "Minibatch SGD of a network on labels that are pure noise, at a small rate, moves by iid "
            "steps: a random walk with a small drift.  The drift's effect on the PCA ratios is computed "
            "exactly for the expected Gram matrix and bounded with high probability over the labels; "
            "the change of the gradients along the path is bounded by the network's Hessian.",
            assumptions=[
                "one hidden layer, erf activation, NTK parameterisation (then E[empirical NTK] = NTK at any width)",
                ("residual targets: every network is fitted to its own initial function plus labels +-s that are "
                 "independent of the inputs (the noise-dominated regime)"),
                "minibatch indices drawn with replacement, independently at every step and for every network",
                "the ratios are estimated from the Gram matrix pooled over the networks (jackknife over networks)",
            ],
            references=[
                _REF_AS,
                "R. O'Donnell, Analysis of Boolean Functions, Cambridge 2014, Thm. 9.21 and 9.23 (Bonami)",
                "R. A. Horn, C. R. Johnson, Matrix Analysis, 2nd ed., Cor. 4.3.9 and 7.3.5 (Weyl, interlacing)",
                "A. Jacot, F. Gabriel, C. Hongler, NeurIPS 2018, arXiv:1806.07572 (neural tangent kernel)",
                "B. Efron, C. Stein, Ann. Statist. 9 (1981) 586 (jackknife variance)",
            ],
            truncation=("First order in the learning rate for the linearisation; the jackknife over R networks "
                        "leaves an O(R^-2) bias of the pooled ratios."),
        )
        .step("Expected Gram matrix of a walk with drift mu and step covariance Sigma, c_t = t - (T+1)/2.",
              sp.Eq(sp.Symbol(r"\mathbb{E}\hat G"), trS * (sp.Symbol("M") + beta * sp.Symbol("c c^T"))))
        .step("beta is the squared drift per step relative to the step variance.",
              sp.Eq(beta, sp.Abs(sp.Symbol("mu")) ** 2 / trS))
        .step("The drift-to-noise ratio of SGD steps with pure-noise residuals r (|r_i| = s), "
              "rho = r^T Theta r / sum_i r_i^2 Theta_ii.",
              sp.Eq(beta, B * rho / (N - rho)))
        .step("Bonami's inequality bounds rho = 1 + Q/tr(Theta), Q a Rademacher chaos, with probability 1 - p/2.",
              sp.Eq(rho_max, 1 + sp.E * sp.log(2 / p) * Q2 / trTh))
        .step("Relative variance added by the drift; every ratio moves by at most delta/(1 + delta) (interlacing).",
              sp.Eq(delta, beta * T / 2))
        .step("A trajectory changed by a relative Frobenius amount epsilon changes each ratio by at most (Weyl):",
              sp.Le(sp.Abs(sp.Symbol(r"\Delta r_k", real=True)), (2 * sp.sqrt(rk) + 2 * rk + eps) * eps / (1 - eps) ** 2))
        .step("Curvature: after m steps the step differs from the frozen one by at most m eta^2 N Xi K "
              "(Xi = N s sqrt(G) bounds a step / eta, K = G + s h with G >= |grad f|^2 and h >= ||Hessian f||); "
              "summed over the recorded points and divided by the walk's expected norm this is epsilon, "
              "proportional to eta (A_T = sum_t ((t-1)(t-2)/2)^2).",
              sp.Eq(eps, eta * N * Xi * Kc * sp.sqrt(A) / sp.sqrt(s**2 * trTh * (N - rho_max) * (T**2 - 1) / (6 * B))))
    )
