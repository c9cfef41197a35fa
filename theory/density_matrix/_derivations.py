"""Derivations of the density-matrix area, rendered by ``theorycheck docs``."""

from __future__ import annotations

import sympy as sp

from theory.density_matrix import _classical as C
from theory.density_matrix import _core as K
from theory.density_matrix import _dimer as Dm
from theory.density_matrix import _evolution as E
from theory.density_matrix import _states as S
from theory.derivation import Derivation, register_derivation

__all__: list[str] = []

_BP = "Breuer & Petruccione, The Theory of Open Quantum Systems (OUP 2002), sec. 3.2-3.4"
_NC = "Nielsen & Chuang, Quantum Computation and Quantum Information (CUP 2000), ch. 2, 8, 11"
_t = sp.Symbol("t", nonnegative=True)


def _eq(lhs: object, rhs: object) -> sp.Eq:
    """An unevaluated equation (sympy would collapse Symbol == Matrix to False)."""
    return sp.Eq(lhs, rhs, evaluate=False)


def _zero(expr: sp.Matrix, what: str) -> sp.Matrix:
    """Assert that a residual simplifies to zero (a derivation step is verified, not just displayed)."""
    z = sp.simplify(expr)
    if not z.is_zero_matrix:
        raise AssertionError(f"residual of {what} does not vanish: {z}")
    return z


@register_derivation("density_matrix-liouvillian")
def _liouvillian() -> Derivation:
    W, g, w, gam = sp.symbols("W g omega gamma", positive=True)
    rho = K.symbolic_density_matrix(2)
    H = W / 2 * K.pauli("x")
    L = sp.sqrt(g / 2) * K.pauli("z")
    Lv = K.liouvillian(H, [L])
    resid = sp.simplify(Lv * K.vec(rho) - K.vec(K.lindblad_rhs(H, [L], rho)))
    d = Derivation(
        "density_matrix-liouvillian", "Lindblad equation and its Liouvillian (column stacking)",
        "The master equation is linear in rho; column-stacking vectorisation turns it into a matrix "
        "acting on vec(rho). The construction is checked symbolically on a general qubit state.",
        ["Markovian, time-independent generator in GKSL form", "hbar = 1", "vec stacks columns (not numpy's row order)"],
        ["Lindblad, Commun. Math. Phys. 48 (1976) 119", "Gorini, Kossakowski, Sudarshan, J. Math. Phys. 17 (1976) 821", _BP,
         "Horn & Johnson, Topics in Matrix Analysis (1991), sec. 4.3"],
    )
    Hs, rs, Ls = sp.symbols("H rho L", commutative=False)
    d.step("GKSL master equation.", _eq(sp.Symbol(r"\dot\rho"), -sp.I * (Hs * rs - rs * Hs)
                                          + Ls * rs * sp.Symbol(r"L^\dagger") - sp.Symbol(r"\{L^\dagger L,\rho\}") / 2))
    d.step("Column stacking: vec(A X B) = (B^T kron A) vec X; so H rho -> (I kron H), rho H -> (H^T kron I), "
           "L rho L^dagger -> (conj(L) kron L).")
    d.step("Example: Rabi drive with dephasing, H = (W/2) sigma_x, L = sqrt(g/2) sigma_z; the Liouvillian is", _eq(sp.Symbol("L"), Lv))
    d.step("Check on a general qubit state: L vec(rho) - vec(rhs(rho)) simplifies to zero.", _eq(_zero(resid, "Liouvillian"), sp.zeros(4, 1)))
    spec = E.amplitude_damping_spectrum(w, gam, g)
    d.step("Amplitude damping + dephasing + precession (H = w/2 sigma_z, L1 = sqrt(gamma) sigma_-, L2 = sqrt(g/2) sigma_z): "
           "spectrum (sympy eigenvals of the 4x4 Liouvillian)",
           _eq(sp.Symbol(r"\mathrm{spec}\,\mathcal L"), sp.FiniteSet(*spec)))
    return d


@register_derivation("density_matrix-qubit-bloch")
def _bloch() -> Derivation:
    W, g, w, gam = sp.symbols("W g omega gamma", positive=True)
    x0, y0, z0 = sp.symbols("x_0 y_0 z_0", real=True)
    d = Derivation(
        "density_matrix-qubit-bloch", "Closed-form Bloch solutions of the canonical qubit problems",
        "Bloch equations are derived from the Liouvillian by r_i' = tr(sigma_i L[rho]); the closed forms are then "
        "verified to solve them with the right initial condition (residuals simplify to zero).",
        ["rho0 = |0><0| (z0 = 1) for the Rabi problem", "|0> is the sigma_z = +1 state, sigma_- = |1><0|"],
        ["Allen & Eberly, Optical Resonance and Two-Level Atoms (1975), ch. 2", _BP],
    )
    M, c = E.bloch_equations(W / 2 * K.pauli("x"), [sp.sqrt(g / 2) * K.pauli("z")])
    d.step("Rabi + dephasing: Bloch matrix (r' = M r)", _eq(sp.Symbol("M"), M))
    x, y, z = E.rabi_dephasing_bloch(W, g, _t)
    r = sp.Matrix([x, y, z])
    res = _zero(r.diff(_t) - M * r - c, "Rabi")
    d.step("Solution with m = sqrt(W^2 - g^2/4).", _eq(sp.Symbol("z(t)"), z))
    d.step("and", _eq(sp.Symbol("y(t)"), y))
    d.step("Residual of the ODE (zero) and initial value.", _eq(sp.Tuple(*res, *[sp.simplify(v.subs(_t, 0)) for v in r]),
                                                                   sp.Tuple(0, 0, 0, 0, 0, 1)))
    M2, c2 = E.bloch_equations(w / 2 * K.pauli("z"), [sp.sqrt(gam) * K.pauli("-"), sp.sqrt(g / 2) * K.pauli("z")])
    d.step("Amplitude damping + dephasing + precession: affine Bloch equations r' = M r + c", _eq(sp.Symbol("M"), M2))
    d.step("with constant term", _eq(sp.Symbol("c"), c2))
    r2 = sp.Matrix(E.amplitude_damping_bloch(w, gam, g, (x0, y0, z0), _t))
    d.step("Solution: x + iy rotates at omega and decays at gamma/2 + g; z relaxes to -1 at gamma.", _eq(sp.Symbol("r(t)"), r2))
    d.step("Residual of the ODE (zero).", _eq(_zero(r2.diff(_t) - M2 * r2 - c2, "amplitude damping"), sp.zeros(3, 1)))
    return d


@register_derivation("density_matrix-damped-oscillator")
def _oscillator() -> Derivation:
    w, k = sp.symbols("omega kappa", positive=True)
    a0 = sp.Symbol("alpha_0")
    d = Derivation(
        "density_matrix-damped-oscillator", "Damped harmonic oscillator: coherent states stay coherent",
        "For H = w a^dag a and L = sqrt(kappa) a, the ansatz rho = |alpha(t)><alpha(t)| solves the master "
        "equation when alpha' = -(i w + kappa/2) alpha, because a|alpha> = alpha|alpha>.",
        ["zero-temperature bath", "numerics truncate the Fock space at dim; the lost Poisson mass bounds the error"],
        ["Walls & Milburn, Quantum Optics (2008), sec. 6.1", "Glauber, Phys. Rev. 131 (1963) 2766"],
    )
    d.step("Amplitude.", _eq(sp.Symbol(r"\alpha(t)"), E.damped_coherent_amplitude(a0, w, k, _t)))
    d.step("Fock truncation budget: the state outside the first dim levels has mass", _eq(sp.Symbol(r"\epsilon"), E.coherent_tail_mass(a0, sp.Symbol("d", integer=True, positive=True))))
    d.truncation = ("The truncated dynamics leaves the span of the first dim Fock states invariant, so the error of the "
                    "truncated evolution is the evolution of rho0 - P rho0 P, of trace norm <= 2 sqrt(eps) + eps "
                    "(gentle measurement lemma; Winter, IEEE Trans. Inf. Theory 45 (1999) 2481), contracted by the channel.")
    return d


@register_derivation("density_matrix-classical-limit")
def _classical() -> Derivation:
    J, g = sp.symbols("J g", positive=True)
    x = sp.Symbol("x", positive=True)
    d = Derivation(
        "density_matrix-classical-limit", "Classical limits: dephasing turns quantum hopping into a Markov chain",
        "Three routes from density matrices to classical master equations: a unitary step followed by full "
        "dephasing; strong site dephasing (adiabatic elimination of coherences); exact embedding of a classical "
        "generator with jump operators.",
        ["site dephasing L_i = sqrt(g)|i><i| (coherences decay at rate g)", "hopping J << g for the second"],
        ["Haken & Strobl, Z. Phys. 262 (1973) 135", "Cao & Silbey, J. Phys. Chem. A 113 (2009) 13825", _BP, _NC],
    )
    th = sp.Symbol("theta", real=True)
    U = sp.Matrix([[sp.cos(th), -sp.I * sp.sin(th)], [-sp.I * sp.sin(th), sp.cos(th)]])
    d.step("Unitary step then full dephasing: T_ij = |U_ij|^2; e.g. for U = exp(-i theta sigma_x)",
           _eq(sp.Symbol("T"), sp.simplify(C.dephased_step_markov(U))))
    H = sp.Matrix([[0, J], [J, 0]])
    d.step("Strong dephasing: eliminating rho_12 from rho_12' = -iJ(rho_22 - rho_11) - g rho_12 gives rates",
           _eq(sp.Symbol("w"), C.strong_dephasing_rates(H, g)))
    slow, fast = C.two_site_exact_rates(J, g)
    d.step("Exact dimer imbalance rates (z'' + g z' + 4J^2 z = 0)", _eq(sp.Symbol(r"\lambda_\pm"), sp.Tuple(slow, fast)))
    d.step("Series of the slow rate in x = J/g (classical value 4x^2 first): relative error 4x^2 + O(x^4)",
           _eq(sp.Symbol(r"\frac{\lambda_-}{g}"), C.two_site_rate_series(3)))
    Q = sp.Matrix(3, 3, lambda i, j: sp.Symbol(f"w_{i}{j}", positive=True) if i != j else 0)
    Qg = C.classical_generator(Q)
    p = sp.symbols("p0:3", nonnegative=True)
    rho = sp.diag(*p)
    drho = K.lindblad_rhs(sp.zeros(3, 3), C.classical_embedding_jump_ops(Qg), rho)
    _zero(drho - sp.diag(*(Qg * sp.Matrix(p))), "embedding")  # verified, then displayed
    d.step("Exact embedding: jump operators sqrt(w_ij)|i><j| (H = 0) on diag(p): the dissipator is diagonal and equals "
           "diag(Q p), Q the classical generator (verified symbolically)",
           _eq(sp.Symbol(r"\sum_{ij} D[L_{ij}]\,\mathrm{diag}(p)"), sp.simplify(drho)))
    tau = sp.Symbol("tau", nonnegative=True)
    d.step("Population error of the classical rate law, in units with 4J^2/g = 1 (g = 1/(4x^2), J = 1/(4x))",
           _eq(sp.Symbol(r"\Delta p(\tau)"), Dm.dimer_population_error(x, tau)))
    e, b = Dm.dimer_error_log_series([sp.Rational(1, 2), 1, 2, 3], 3)
    d.step(f"Its RMS over tau = 1/2, 1, 2, 3 scales as x^{e}: log(eps / x^{e}) as a series in x^2 "
           "(power-series algebra, 50 digits)",
           _eq(sp.Symbol(r"\log(\varepsilon/x^{%d})" % e), sum(sp.N(c, 8) * x ** (2 * j) for j, c in enumerate(b))))
    d.truncation = ("Strong dephasing: the classical rate 2J^2/g is the first term of the slow rate's series; the population "
                    "error is x^2 times an analytic function of x^2 (radius 1/16 in x^2) plus a fast part exp(-tau/(4x^2)) "
                    "beyond every power. A fit with k corrections x^2..x^2k is off by the series remainder, which the check "
                    "evaluates against the exact error at every x it uses.")
    return d


@register_derivation("density_matrix-channels")
def _channels() -> Derivation:
    p = sp.Symbol("p", nonnegative=True)
    lam = sp.Symbol("lambda", positive=True)
    d = Derivation(
        "density_matrix-channels", "Subsystems, entropy, channels and measurements",
        "Partial trace of an entangled pure state gives a mixed state whose entropy is the entanglement entropy; "
        "channels are Kraus maps, completely positive iff the Choi matrix is PSD; measurements are channels.",
        ["finite dimensions"], [_NC, "Choi, Lin. Alg. Appl. 10 (1975) 285"],
    )
    psi = S.schmidt_state([lam, 1 - lam])
    red = S.partial_trace(psi, [2, 2], [0])
    d.step("Schmidt state sqrt(l)|00> + sqrt(1-l)|11>: reduced state", _eq(sp.Symbol(r"\rho_A"), red))
    d.step("Its entropy equals the entanglement entropy", _eq(sp.Symbol("S"), S.entanglement_entropy([lam, 1 - lam])))
    Kd = [sp.sqrt(1 - p) * sp.eye(2), sp.sqrt(p) * K.pauli("z")]
    d.step("Dephasing channel K0 = sqrt(1-p) I, K1 = sqrt(p) sigma_z: Choi matrix", _eq(sp.Symbol("J"), S.choi_matrix(Kd)))
    r = K.symbolic_density_matrix(2)
    probs, post = S.projective_measurement(r, [sp.diag(1, 0), sp.diag(0, 1)])
    d.step("Projective measurement in the computational basis: Born probabilities", _eq(sp.Symbol("p"), sp.Tuple(*probs)))
    d.step("and the non-selective post-measurement state (a channel that removes coherences)", _eq(sp.Symbol(r"\rho'"), post))
    return d
