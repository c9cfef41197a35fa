"""Derivations of the trained infinite-width ensemble, rendered by ``theorycheck docs``.

References: Jacot, Gabriel & Hongler 2018 (arXiv:1806.07572); Lee et al. 2019
(arXiv:1902.06720), eqs. 14-16; Rasmussen & Williams 2006, sec. 2.2; Roberts, Yaida &
Hanin 2022, ch. 10-11.
"""

from __future__ import annotations

import sympy as sp

from theory.derivation import Derivation, register_derivation

__all__: list[str] = []


@register_derivation("ntk-gradient-flow")
def _gradient_flow() -> Derivation:
    """Derivation of the trained infinite-width ensemble's mean and covariance (Lee et al. 2019)."""
    t, eta, theta = sp.symbols("t eta Theta_XX", positive=True)
    K0, Kx, Kxx, thx, y = sp.symbols("K_XX K_xX K_xx Theta_xX Y", real=True)
    fX = sp.Function("f_X")
    d = Derivation(
        "ntk-gradient-flow",
        "Infinite-width networks trained by gradient flow on MSE",
        "Mean and covariance of an ensemble of infinitely wide networks trained by gradient descent "
        "on the summed squared loss, on test inputs x, at any time t (Lee et al. 2019). Shown for one "
        "training point (scalars); the matrix formulas replace division by Theta_XX^{-1} on the left.",
        assumptions=[
            "NTK parameterisation, infinite width: the NTK Theta is deterministic and constant during training",
            "loss L = 1/2 sum_i (f(x_i) - y_i)^2, step theta <- theta - eta grad L, t counts steps",
            "f_0 ~ GP(0, K) with K the NNGP kernel (independent of the data)",
        ],
        references=[
            "J. Lee et al., Wide neural networks of any depth evolve as linear models under gradient descent, "
            "NeurIPS 2019, arXiv:1902.06720, eqs. 14-16",
            "A. Jacot, F. Gabriel, C. Hongler, Neural tangent kernel, NeurIPS 2018, arXiv:1806.07572",
            "C. E. Rasmussen, C. K. I. Williams, Gaussian Processes for Machine Learning (2006), sec. 2.2",
            "D. A. Roberts, S. Yaida, B. Hanin, The Principles of Deep Learning Theory (2022), ch. 10-11 "
            "(finite-width corrections of trained networks)",
        ],
        truncation="Finite width n changes mean and covariance by O(1/n) (Dyer & Gur-Ari 2019, arXiv:1909.11304; "
                   "Roberts, Yaida & Hanin 2022, ch. 10-11); discrete GD differs from the flow by O(eta^2 Theta^2 t).",
    )
    d.step("Function-space gradient flow of the linearised network.",
           sp.Eq(sp.Derivative(fX(t), t), -eta * theta * (fX(t) - y)))
    sol = sp.dsolve(sp.Eq(sp.Derivative(fX(t), t), -eta * theta * (fX(t) - y)), fX(t), ics={fX(0): sp.Symbol("f_0(X)")})
    d.step("Solved on the training points.", sol)
    A = thx / theta * (1 - sp.exp(-eta * theta * t))
    d.step("On a test point, integrating df(x)/dt = -eta Theta_xX (f_X - Y): f_t(x) = f_0(x) + A_t (Y - f_0(X)).",
           sp.Eq(sp.Symbol("A_t"), A))
    f0x, f0X = sp.symbols("f_0(x) f_0(X)")
    ft = f0x + A * (y - f0X)
    d.step("Mean over initialisations (E f_0 = 0).", sp.Eq(sp.Symbol("mu_t"), sp.expand(ft).coeff(y) * y))
    var = sp.expand((ft - A * y) ** 2)
    var = var.subs({f0x**2: Kxx, f0X**2: K0}).subs(f0x * f0X, Kx)
    d.step("Covariance, using E f_0(x)^2 = K_xx, E f_0(x) f_0(X) = K_xX, E f_0(X)^2 = K_XX.",
           sp.Eq(sp.Symbol("Sigma_t"), sp.factor_terms(var)))
    d.step("Discrete GD replaces exp(-eta Theta t) by (1 - eta Theta)^t; stable iff eta < 2/lambda_max(Theta).",
           sp.Eq(sp.Symbol("A_t^{GD}"), thx / theta * (1 - (1 - eta * theta) ** t)))
    d.step("t -> infinity: the NTK regression estimator, to be compared with the NNGP posterior mean K_xX K_XX^{-1} Y.",
           sp.Eq(sp.Symbol("mu_infty"), thx / theta * y))
    return d
