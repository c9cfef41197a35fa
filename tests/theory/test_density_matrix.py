"""theory.density_matrix: every closed form against an independent computation."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy.linalg import expm

import theory.density_matrix as dm
from theory.derivation import all_derivations, derivation_names

t = sp.Symbol("t", nonnegative=True)


def _rand_rational_matrix(rng: np.random.Generator, n: int, hermitian: bool) -> sp.Matrix:
    A = sp.Matrix(n, n, lambda i, j: sp.Rational(int(rng.integers(-5, 6)), 4) + sp.I * sp.Rational(int(rng.integers(-5, 6)), 4))
    return (A + A.H) / 2 if hermitian else A


def test_vec_column_stacking_identity() -> None:
    rng = np.random.default_rng(0)
    A, X, B = (_rand_rational_matrix(rng, 2, False) for _ in range(3))
    assert sp.simplify(dm.vec(A * X * B) - sp.kronecker_product(B.T, A) * dm.vec(X)).is_zero_matrix
    assert dm.unvec(dm.vec(X)) == X
    assert dm.vec(sp.Matrix([[1, 2], [3, 4]])) == sp.Matrix([1, 3, 2, 4])  # columns, not numpy's rows


def test_liouvillian_matches_rhs_on_general_state() -> None:
    rng = np.random.default_rng(1)
    H = _rand_rational_matrix(rng, 3, True)
    Ls = [_rand_rational_matrix(rng, 3, False) for _ in range(2)]
    rho = dm.symbolic_density_matrix(3)
    diff = dm.liouvillian(H, Ls) * dm.vec(rho) - dm.vec(dm.lindblad_rhs(H, Ls, rho))
    assert sp.expand(diff).is_zero_matrix


def test_liouvillian_matches_qutip() -> None:
    qt = pytest.importorskip("qutip")
    rng = np.random.default_rng(2)
    H = _rand_rational_matrix(rng, 3, True)
    Ls = [_rand_rational_matrix(rng, 3, False)]
    ours = np.array(dm.liouvillian(H, Ls).evalf(), dtype=complex)
    ref = qt.liouvillian(qt.Qobj(np.array(H.evalf(), dtype=complex)), [qt.Qobj(np.array(Ls[0].evalf(), dtype=complex))]).full()
    np.testing.assert_allclose(ours, ref, atol=1e-13)


def test_liouvillian_trace_preserving_and_spectrum() -> None:
    w, gam, g = sp.Rational(2), sp.Rational(7, 10), sp.Rational(3, 10)
    H = w / 2 * dm.pauli("z")
    Ls = [sp.sqrt(gam) * dm.pauli("-"), sp.sqrt(g / 2) * dm.pauli("z")]
    L = dm.liouvillian(H, Ls)
    # trace functional vec(I)^T annihilates L: d tr(rho)/dt = 0
    assert sp.simplify(dm.vec(sp.eye(2)).T * L).is_zero_matrix
    key = lambda z: (round(z.real, 9), round(z.imag, 9))
    spec = sorted((complex(k) for k, m in dm.liouvillian_spectrum(H, Ls).items() for _ in range(m)), key=key)
    assert np.allclose(sorted((complex(e) for e in dm.amplitude_damping_spectrum(w, gam, g)), key=key), spec)
    num = sorted(np.linalg.eigvals(np.array(L.evalf(), dtype=complex)), key=key)
    assert np.allclose(num, spec, atol=1e-12)


@pytest.mark.parametrize("W,g", [(2, sp.Rational(1, 2)), (1, 3), (1, 2)])  # under-, over-, critically damped
def test_rabi_closed_form_against_liouvillian_exponential(W: object, g: object) -> None:
    H = sp.Rational(W) / 2 * dm.pauli("x")
    Ls = [sp.sqrt(sp.Rational(g) / 2) * dm.pauli("z")]
    Lnum = np.array(dm.liouvillian(H, Ls).evalf(), dtype=complex)
    x, y, z = dm.rabi_dephasing_bloch(W, g, t)
    for tt in (0.0, 0.3, 1.7, 5.0):
        v = expm(Lnum * tt) @ np.array([1, 0, 0, 0], dtype=complex)  # vec |0><0|
        rho = v.reshape(2, 2).T
        ref = [2 * rho[0, 1].real, -2 * rho[0, 1].imag, (rho[0, 0] - rho[1, 1]).real]
        got = [complex(sp.N(e.subs(t, tt))).real for e in (x, y, z)]
        np.testing.assert_allclose(got, ref, atol=1e-12)


def test_amplitude_damping_closed_form_against_symbolic_exponential() -> None:
    w, gam, g = 3, sp.Rational(2, 5), sp.Rational(3, 10)
    r0 = (sp.Rational(3, 5), 0, sp.Rational(4, 5))
    H = sp.Rational(w) / 2 * dm.pauli("z")
    Ls = [sp.sqrt(gam) * dm.pauli("-"), sp.sqrt(g / 2) * dm.pauli("z")]
    tt = sp.Rational(7, 4)
    rho = dm.evolve_closed_form(H, Ls, dm.bloch_density_matrix(*r0), tt)
    ref = [complex(sp.N((dm.pauli(a) * rho).trace(), 20)).real for a in "xyz"]
    got = [float(sp.N(e.subs(t, tt), 20)) for e in dm.amplitude_damping_bloch(w, gam, g, r0, t)]
    np.testing.assert_allclose(got, ref, atol=1e-14)


def test_bloch_equations_are_those_of_the_liouvillian() -> None:
    W, g = sp.symbols("W g", positive=True)
    M, c = dm.bloch_equations(W / 2 * dm.pauli("x"), [sp.sqrt(g / 2) * dm.pauli("z")])
    assert M == sp.Matrix([[-g, 0, 0], [0, -g, -W], [0, W, 0]]) and c == sp.zeros(3, 1)


def test_coherent_state_solves_truncated_master_equation_exactly() -> None:
    d, w, k = 6, sp.Rational(1), sp.Rational(1, 2)
    a = sp.Matrix(d, d, lambda i, j: sp.sqrt(j) if j == i + 1 else 0)
    alpha = dm.damped_coherent_amplitude(sp.Rational(3, 2) + sp.I / 2, w, k, t)
    psi = dm.coherent_state(alpha, d)
    rho = psi * psi.H
    res = rho.diff(t) - dm.lindblad_rhs(w * a.H * a, [sp.sqrt(k) * a], rho)
    # inside the block n, m < d-1 the truncated dynamics is exact (inflow comes from n+1 <= d-1)
    block = res[: d - 1, : d - 1].subs(t, sp.Rational(3, 10))
    assert max(abs(complex(sp.N(e, 30))) for e in block) < 1e-25


def test_coherent_tail_mass_matches_poisson() -> None:
    from scipy.stats import poisson

    assert float(dm.coherent_tail_mass(2, 10)) == pytest.approx(poisson.sf(9, 4.0), rel=1e-12)


def test_partial_trace_entropy_and_purity_of_schmidt_state() -> None:
    lam = [sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(1, 6)]
    psi = dm.schmidt_state(lam)
    rA = dm.partial_trace(psi, [3, 3], [0])
    rB = dm.partial_trace(psi, [3, 3], [1])
    assert rA == sp.diag(*lam) and rB == sp.diag(*lam)
    assert sp.simplify(dm.von_neumann_entropy(rA) - dm.entanglement_entropy(lam)) == 0
    assert dm.purity(psi) == 1 and dm.von_neumann_entropy(psi) == 0
    assert dm.purity(rA) == sum(l**2 for l in lam)


def test_partial_trace_matches_qutip() -> None:
    qt = pytest.importorskip("qutip")
    rng = np.random.default_rng(3)
    R = _rand_rational_matrix(rng, 6, True)
    for keep in ([0], [1]):
        ours = np.array(dm.partial_trace(R, [2, 3], keep).evalf(), dtype=complex)
        ref = qt.Qobj(np.array(R.evalf(), dtype=complex), dims=[[2, 3], [2, 3]]).ptrace(keep).full()
        np.testing.assert_allclose(ours, ref, atol=1e-14)


def test_fidelity_pure_and_mixed() -> None:
    r1 = dm.bloch_density_matrix(0, 0, 1)
    r2 = dm.bloch_density_matrix(sp.Rational(3, 5), 0, sp.Rational(4, 5))
    assert sp.simplify(dm.fidelity(r1, r2) - sp.Rational(9, 10)) == 0  # (1 + z)/2
    a, b = dm.bloch_density_matrix(sp.Rational(1, 2), 0, 0), dm.bloch_density_matrix(0, 0, sp.Rational(1, 2))
    # qubit formula F = (1 + r.s + sqrt((1-|r|^2)(1-|s|^2)))/2  (Hubner 1992)
    assert abs(float(dm.fidelity(a, b)) - (1 + 0 + np.sqrt(0.75 * 0.75)) / 2) < 1e-12


def test_choi_and_measurement_channels() -> None:
    p = sp.Rational(1, 4)
    K = [sp.sqrt(1 - p) * sp.eye(2), sp.sqrt(p) * dm.pauli("z")]
    J = dm.choi_matrix(K)
    assert all(ev >= 0 for ev in J.eigenvals())
    assert dm.partial_trace(J, [2, 2], [0]) == sp.eye(2)  # trace preserving: tr_out J = I
    rho = dm.symbolic_density_matrix(2)
    probs, post = dm.projective_measurement(rho, [sp.diag(1, 0), sp.diag(0, 1)])
    assert sp.simplify(sum(probs)) == 1 and post[0, 1] == 0
    assert dm.povm_probabilities(dm.bloch_density_matrix(0, 0, 1), [sp.diag(1, 0), sp.diag(0, 1)]) == [1, 0]
    with pytest.raises(ValueError, match="identity"):
        dm.povm_probabilities(rho, [sp.diag(1, 0)])


def test_dephased_step_markov_is_doubly_stochastic() -> None:
    H = sp.Matrix([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    U = (-sp.I * H * sp.Rational(7, 10)).exp()
    T = np.array(dm.dephased_step_markov(U).evalf(), dtype=complex).real
    np.testing.assert_allclose(T.sum(0), 1, atol=1e-13)
    np.testing.assert_allclose(T.sum(1), 1, atol=1e-13)


def test_strong_dephasing_rate_is_leading_term_of_exact_rate() -> None:
    J, g = sp.symbols("J g", positive=True)
    w = dm.strong_dephasing_rates(sp.Matrix([[0, J], [J, 0]]), g)
    assert w[0, 1] == 2 * J**2 / g
    slow, _ = dm.two_site_exact_rates(J, g)
    x = sp.Symbol("x", positive=True)
    ser = dm.two_site_rate_series(3)
    # imbalance decays at w_01 + w_10 = 4 J^2/g: the series' leading term
    assert sp.simplify(ser.coeff(x, 2) * J**2 / g - (w[0, 1] + w[1, 0])) == 0
    # series against the exact root numerically: the error is about the first omitted term (x^8, all terms positive)
    xv = 0.03
    omitted = float((dm.two_site_rate_series(4) - ser).subs(x, xv))
    err = float(slow.subs({J: xv, g: 1})) - float(ser.subs(x, xv))
    assert omitted <= err <= 1.1 * omitted


def test_classical_embedding_exact() -> None:
    Q = dm.classical_generator(sp.Matrix([[0, 1, 2], [3, 0, 1], [1, 1, 0]]) / 4)
    p = sp.symbols("p0:3")
    drho = dm.lindblad_rhs(sp.zeros(3, 3), dm.classical_embedding_jump_ops(Q), sp.diag(*p))
    assert sp.simplify(drho - sp.diag(*(Q * sp.Matrix(p)))).is_zero_matrix
    pt = dm.classical_populations(Q, [1, 0, 0], sp.Rational(1, 2))
    ref = expm(np.array(Q, dtype=float) * 0.5) @ [1, 0, 0]
    np.testing.assert_allclose(np.array(pt.evalf(), dtype=float).ravel(), ref, atol=1e-13)


def test_derivations_render() -> None:
    names = [n for n in derivation_names() if n.startswith("density_matrix-")]
    assert len(names) == 5
    for d in all_derivations(names):
        md = d.to_markdown()
        assert d.references and "False" not in md and "$$" in md


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="Hermitian"):
        dm.liouvillian(sp.Matrix([[0, 1], [0, 0]]), [])
    with pytest.raises(ValueError, match="shape"):
        dm.liouvillian(sp.eye(2), [sp.eye(3)])
    with pytest.raises(TypeError, match="list"):
        dm.liouvillian(sp.eye(2), sp.eye(2))
    with pytest.raises(ValueError, match="square"):
        dm.liouvillian(sp.Matrix([[1, 2, 3]]), [])
    with pytest.raises(ValueError, match="prod"):
        dm.partial_trace(sp.eye(4), [2, 3], [0])
    with pytest.raises(ValueError, match="n must"):
        dm.symbolic_density_matrix(0)


def test_dimer_population_error_matches_the_liouvillian_exponential() -> None:
    xv, tv = 0.05, 1.3
    J, g = 1 / (4 * xv), 1 / (4 * xv**2)
    H = J * dm.pauli("x")
    Ls = [sp.sqrt(g) * sp.diag(1, 0), sp.sqrt(g) * sp.diag(0, 1)]
    Lnum = np.array(dm.liouvillian(H, Ls).evalf(), dtype=complex)
    rho = (expm(Lnum * tv) @ np.array([1, 0, 0, 0], dtype=complex)).reshape(2, 2).T
    classical = (1 + np.exp(-tv)) / 2  # rates 2J^2/g = 1/2 each way
    assert float(dm.dimer_population_error(xv, tv)) == pytest.approx(rho[0, 0].real - classical, abs=1e-12)


def test_dimer_error_series_leading_power_and_remainder() -> None:
    taus = [0.5, 1.0, 2.0, 3.0]
    e, b = dm.dimer_error_log_series(taus, 4)
    assert e == 2  # the classical rate law's error is O((J/g)^2)
    for k in (1, 2, 3):
        rem = []
        for xv in (0.01, 0.02):
            x = sp.Float(xv, 50)
            exact = sp.log(dm.dimer_classical_error(x, taus) / x**2)
            rem.append(abs(float(sp.N(exact - sum(b[j] * x ** (2 * j) for j in range(k + 1)), 40))))
        # the remainder after k corrections is O(x^(2k+2)): halving x divides it by about 2^(2k+2)
        assert rem[1] / rem[0] == pytest.approx(2 ** (2 * k + 2), rel=0.1)
