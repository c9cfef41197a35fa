r"""Closed-form Lindblad evolution: exponential of the Liouvillian, Bloch solutions, coherent states.

References: Breuer & Petruccione, *The Theory of Open Quantum Systems* (2002), sec. 3.4
(damped two-level system) and 3.4.6 (damped harmonic oscillator); Allen & Eberly,
*Optical Resonance and Two-Level Atoms* (1975), ch. 2 (damped Rabi oscillations);
Walls & Milburn, *Quantum Optics* (2008), sec. 6.1 (coherent states under damping);
Glauber, Phys. Rev. 131 (1963) 2766 (coherent states).
"""

from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from theory import validate as v
from theory.density_matrix._core import (
    bloch_density_matrix,
    lindblad_rhs,
    liouvillian,
    pauli,
    unvec,
    vec,
)
from theory.density_matrix._validate import matrix, num, sequence

__all__ = [
    "evolve_closed_form",
    "bloch_equations",
    "rabi_dephasing_bloch",
    "amplitude_damping_bloch",
    "amplitude_damping_spectrum",
    "coherent_state",
    "damped_coherent_amplitude",
    "coherent_tail_mass",
]

t_sym = sp.Symbol("t", nonnegative=True)


def evolve_closed_form(H: Any, jump_ops: Sequence[Any], rho0: Any, t: Any) -> sp.Matrix:
    r""":math:`\rho(t) = \mathrm{unvec}\big(e^{\mathcal L t}\,\mathrm{vec}\rho_0\big)` with the Liouvillian
    of :func:`liouvillian` (exact for time-independent generators; Breuer & Petruccione eq. 3.58).

    ``sympy`` exponentiates by Jordan decomposition: fine for small ``n`` (qubits, qutrits)
    or structured symbolic generators; use numerics beyond that.

    Parameters
    ----------
    H, jump_ops
        The generator (see :func:`liouvillian`).
    rho0
        ``n x n`` initial state.
    t
        Time (a real number or sympy expression).

    Returns
    -------
    sympy.Matrix
    """
    R = matrix(rho0, "rho0")
    tt = num(t, "t")
    L = liouvillian(H, jump_ops)
    if R.rows * R.cols != L.rows:
        raise ValueError(f"rho0 must be {int(L.rows ** 0.5)} x {int(L.rows ** 0.5)}, got {R.shape}")
    return unvec((L * tt).exp() * vec(R))


def bloch_equations(H: Any, jump_ops: Sequence[Any]) -> tuple[sp.Matrix, sp.Matrix]:
    r"""Affine Bloch equations :math:`\dot{\mathbf r} = M\mathbf r + \mathbf c` of a qubit master equation.

    With :math:`\rho = \frac12(I + \mathbf r\cdot\boldsymbol\sigma)`,
    :math:`\dot r_i = \mathrm{tr}(\sigma_i\,\mathcal L[\rho])`, which is affine in
    :math:`\mathbf r` (Breuer & Petruccione sec. 3.4.1).

    Parameters
    ----------
    H, jump_ops
        A ``2 x 2`` Hamiltonian and jump operators.

    Returns
    -------
    (sympy.Matrix, sympy.Matrix)
        ``(M, c)``, ``3 x 3`` and ``3 x 1``.
    """
    if matrix(H, "H").shape != (2, 2):
        raise ValueError("bloch_equations needs a qubit (2 x 2) Hamiltonian")
    r = sp.symbols("r_x r_y r_z", real=True)
    drho = lindblad_rhs(H, jump_ops, bloch_density_matrix(*r))
    rates = [sp.expand(sp.simplify((pauli(a) * drho).trace())) for a in "xyz"]
    M = sp.Matrix(3, 3, lambda i, j: sp.simplify(sp.diff(rates[i], r[j])))
    c = sp.Matrix([sp.simplify(rates[i].subs({r[0]: 0, r[1]: 0, r[2]: 0})) for i in range(3)])
    return M, c


def rabi_dephasing_bloch(W: Any, g: Any, t: Any = t_sym) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    r"""Bloch vector of a driven, dephased qubit starting in :math:`|0\rangle`.

    :math:`H = \tfrac W2\sigma_x`, :math:`L = \sqrt{g/2}\,\sigma_z`:
    :math:`x = 0`, :math:`y = -\tfrac{W}{m}e^{-gt/2}\sin mt`,
    :math:`z = e^{-gt/2}\big(\cos mt + \tfrac{g}{2m}\sin mt\big)`,
    :math:`m = \sqrt{W^2 - g^2/4}` (imaginary when overdamped; the formulas stay real;
    Allen & Eberly 1975 ch. 2; Breuer & Petruccione sec. 3.4).  At :math:`m = 0` the limit is taken.

    Parameters
    ----------
    W
        Rabi frequency (real).
    g
        Dephasing rate (real, >= 0 when a number): coherences decay at rate ``g``.
    t
        Time (default: the symbol ``t``).

    Returns
    -------
    (x, y, z)
        sympy expressions.
    """
    W, g, t = num(W, "W"), num(g, "g", sign="nonnegative"), num(t, "t")
    m = sp.sqrt(W**2 - g**2 / 4)
    if m == 0:
        return (sp.S.Zero, -W * t * sp.exp(-g * t / 2), sp.exp(-g * t / 2) * (1 + g * t / 2))
    y = -(W / m) * sp.exp(-g * t / 2) * sp.sin(m * t)
    z = sp.exp(-g * t / 2) * (sp.cos(m * t) + g / (2 * m) * sp.sin(m * t))
    return sp.S.Zero, y, z


def amplitude_damping_bloch(w: Any, gamma: Any, g: Any, r0: Sequence[Any], t: Any = t_sym
                            ) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    r"""Bloch vector under precession, amplitude damping and dephasing.

    :math:`H = \tfrac w2\sigma_z`, :math:`L_1 = \sqrt\gamma\,\sigma_-`, :math:`L_2 = \sqrt{g/2}\,\sigma_z`:
    :math:`x + iy = (x_0 + iy_0)\,e^{(i w - \gamma/2 - g)t}`,
    :math:`z = -1 + (z_0 + 1)e^{-\gamma t}` (Breuer & Petruccione sec. 3.4.1; :math:`T_1 = 1/\gamma`,
    :math:`T_2 = 1/(\gamma/2 + g)`).

    Parameters
    ----------
    w
        Precession frequency (real).
    gamma, g
        Amplitude-damping and dephasing rates (>= 0 when numbers).
    r0
        Initial Bloch vector ``(x0, y0, z0)``.
    t
        Time (default: the symbol ``t``).

    Returns
    -------
    (x, y, z)
    """
    w, gamma, g, t = num(w, "w"), num(gamma, "gamma", sign="nonnegative"), num(g, "g", sign="nonnegative"), num(t, "t")
    items = sequence(r0, "r0")
    if len(items) != 3:
        raise ValueError(f"r0 must be a Bloch vector (x0, y0, z0), got length {len(items)}")
    x0, y0, z0 = (num(a, f"r0[{i}]") for i, a in enumerate(items))
    decay = sp.exp(-(gamma / 2 + g) * t)
    x = decay * (x0 * sp.cos(w * t) - y0 * sp.sin(w * t))
    y = decay * (y0 * sp.cos(w * t) + x0 * sp.sin(w * t))
    z = -1 + (z0 + 1) * sp.exp(-gamma * t)
    return x, y, z


def amplitude_damping_spectrum(w: Any, gamma: Any, g: Any) -> list[sp.Expr]:
    r"""Liouvillian spectrum of :func:`amplitude_damping_bloch`'s generator:
    :math:`\{0, -\gamma, -(\gamma/2 + g) \pm i w\}` (Breuer & Petruccione sec. 3.4.1).

    Parameters
    ----------
    w
        Precession frequency (real).
    gamma, g
        Amplitude-damping and dephasing rates (>= 0 when numbers).

    Returns
    -------
    list of sympy expressions
        In the order ``0, -gamma, -(gamma/2+g) + i w, -(gamma/2+g) - i w``.
    """
    w, gamma, g = num(w, "w"), num(gamma, "gamma", sign="nonnegative"), num(g, "g", sign="nonnegative")
    return [sp.S.Zero, -gamma, -(gamma / 2 + g) + sp.I * w, -(gamma / 2 + g) - sp.I * w]


def coherent_state(alpha: Any, dim: int) -> sp.Matrix:
    r"""Coherent state :math:`|\alpha\rangle = e^{-|\alpha|^2/2}\sum_n \alpha^n/\sqrt{n!}\,|n\rangle`, Fock components
    :math:`n < \mathrm{dim}` (not renormalised; the missing mass is :func:`coherent_tail_mass`; Glauber,
    Phys. Rev. 131 (1963) 2766).

    Parameters
    ----------
    alpha
        Complex amplitude (number or sympy expression).
    dim
        Number of Fock levels kept (an integer >= 1).

    Returns
    -------
    sympy.Matrix
        ``dim x 1``.
    """
    a = num(alpha, "alpha", kind="complex")
    dim = v.integer(dim, "dim", minimum=1)
    pref = sp.exp(-a * sp.conjugate(a) / 2)
    return sp.Matrix([pref * a**n / sp.sqrt(sp.factorial(n)) for n in range(dim)])


def damped_coherent_amplitude(alpha0: Any, w: Any, kappa: Any, t: Any = t_sym) -> sp.Expr:
    r"""Under :math:`H = w a^\dagger a`, :math:`L = \sqrt\kappa\,a`, a coherent state stays coherent with
    :math:`\alpha(t) = \alpha_0 e^{-iwt - \kappa t/2}` (Walls & Milburn sec. 6.1; Breuer & Petruccione sec. 3.4.6).

    Parameters
    ----------
    alpha0
        Initial amplitude (complex).
    w, kappa
        Frequency (real) and damping rate (>= 0 when a number).
    t
        Time.

    Returns
    -------
    sympy expression
    """
    a0, w, k, t = num(alpha0, "alpha0", kind="complex"), num(w, "w"), num(kappa, "kappa", sign="nonnegative"), num(t, "t")
    return a0 * sp.exp(-sp.I * w * t - k * t / 2)


def coherent_tail_mass(alpha: Any, dim: int) -> sp.Expr:
    r"""Poisson tail :math:`P(n \ge \mathrm{dim}) = 1 - e^{-|\alpha|^2}\sum_{n<\mathrm{dim}} |\alpha|^{2n}/n!`
    of a coherent state, i.e. :math:`1 - Q(\mathrm{dim}, |\alpha|^2)` with :math:`Q` the regularised upper
    incomplete gamma function (Glauber 1963; DLMF 8.2.4 and 8.4.10).

    Parameters
    ----------
    alpha
        Complex amplitude.
    dim
        Number of Fock levels kept (an integer >= 1, or a positive integer sympy symbol).

    Returns
    -------
    sympy expression
    """
    a2 = sp.Abs(num(alpha, "alpha", kind="complex")) ** 2
    if not (isinstance(dim, sp.Symbol) and dim.is_integer and dim.is_positive):
        dim = v.integer(dim, "dim", minimum=1)
    return 1 - sp.uppergamma(dim, a2) / sp.gamma(dim)
