r"""Lindblad models: one exact (sympy) definition of each open system the density-matrix checks study.

A :class:`LindbladModel` holds the Hamiltonian, the jump operators, the initial state(s) and the
exact parameters.  The theory side reads the parameters and the sympy matrices; the measurement
side reads :meth:`LindbladModel.numeric`, the same matrices with every entry evaluated to 30
digits and rounded once to double precision, and :meth:`LindbladModel.input_error`, a bound on
what that rounding can change in the evolved state.  So the simulated model is the model the
theory describes, written once.

The GKSL form :math:`\dot\rho = -i[H,\rho] + \sum_k L_k\rho L_k^\dagger - \tfrac12\{L_k^\dagger L_k, \rho\}` (Lindblad,
Commun. Math. Phys. 48 (1976) 119; Gorini, Kossakowski & Sudarshan, J. Math. Phys. 17 (1976) 821;
Breuer & Petruccione, *The Theory of Open Quantum Systems*, 2002, sec. 3.2); :math:`\hbar = 1`,
:math:`|0\rangle` the :math:`\sigma_z = +1` state, :math:`\sigma_- = |1\rangle\langle 0|` (Nielsen & Chuang 2000, sec. 2.1.3).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Sequence

import mpmath
import numpy as np
import sympy as sp

from numerics import validate as v

__all__ = [
    "LindbladModel",
    "exact",
    "to_numpy",
    "rabi_dephasing",
    "amplitude_damping",
    "damped_oscillator",
    "dephased_dimer",
    "scaled_dimer",
    "dimer_classical_rate",
    "classical_chain",
    "hopping_chain",
    "qubit_state",
    "trine_povm",
    "ENTRY_ROUNDING",
]

#: relative error of one matrix entry: a 30-digit value rounded once to complex128 (each part within
#: u = 2^-53 of its value), bounded by 2u = 2^-52 (the 30-digit evaluation adds < 1e-29)
ENTRY_ROUNDING = 2.0**-52

SX = sp.ImmutableMatrix([[0, 1], [1, 0]])
SY = sp.ImmutableMatrix([[0, -sp.I], [sp.I, 0]])
SZ = sp.ImmutableMatrix([[1, 0], [0, -1]])
SM = sp.ImmutableMatrix([[0, 0], [1, 0]])  # sigma_- = |1><0|
I2 = sp.ImmutableMatrix(sp.eye(2))


def exact(value: Any, name: str) -> sp.Rational:
    """A real parameter as an exact rational: the decimal it is written as (``0.7`` -> ``7/10``).

    Its double-precision rounding is the float given, so theory and numerics start from one number.
    """
    x = v.real(value, name)
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    return sp.Rational(repr(x))


def to_numpy(M: sp.MatrixBase) -> np.ndarray:
    """A sympy matrix as complex128, every entry evaluated to 30 digits and rounded once (:data:`ENTRY_ROUNDING`)."""
    return np.array([[complex(sp.N(M[i, j], 30)) for j in range(M.cols)] for i in range(M.rows)], dtype=complex)


def _state(r: sp.MatrixBase) -> np.ndarray:
    """A density matrix, or the normalised projector on a vector, evaluated at 30 digits and rounded once."""
    if r.cols != 1:
        return to_numpy(r)
    with mpmath.workdps(30):
        psi = [mpmath.mpmathify(sp.N(c, 35)) for c in r]
        norm = mpmath.fsum(abs(c) ** 2 for c in psi)
        return np.array([[complex(a * mpmath.conj(b) / norm) for b in psi] for a in psi], dtype=complex)


@dataclass(frozen=True)
class LindbladModel:
    r"""An open quantum system: :math:`H`, jump operators :math:`L_k`, initial state(s), parameters.

    Parameters
    ----------
    name
        What the model is (``"rabi_dephasing"``).
    H
        Hamiltonian, an exact Hermitian ``N x N`` sympy matrix.
    jump_ops
        Jump operators (``N x N`` sympy matrices).
    rho0
        One or more initial states (evolved as a batch when several): ``N x N`` density matrices, or
        ``N x 1`` vectors :math:`\psi` standing for the pure state :math:`|\psi\rangle\langle\psi|/\langle\psi|\psi\rangle`.
    params
        The exact parameters, as ``(name, value)`` pairs.
    """

    name: str
    H: sp.ImmutableMatrix
    jump_ops: tuple[sp.ImmutableMatrix, ...]
    rho0: tuple[sp.ImmutableMatrix, ...]
    params: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        n = self.H.rows
        if self.H.shape != (n, n) or not (self.H - self.H.H).is_zero_matrix:
            raise ValueError(f"{self.name}: H must be a square Hermitian matrix")
        for M in self.jump_ops:
            if M.shape != (n, n):
                raise ValueError(f"{self.name}: every operator must be {n} x {n}; got {M.shape}")
        for M in self.rho0:
            if M.shape not in ((n, n), (n, 1)):
                raise ValueError(f"{self.name}: an initial state must be {n} x {n} or a vector {n} x 1; got {M.shape}")
        if not self.rho0:
            raise ValueError(f"{self.name}: give at least one initial state")

    @property
    def dim(self) -> int:
        """Hilbert-space dimension :math:`N`."""
        return int(self.H.rows)

    def param(self, key: str) -> Any:
        """The exact parameter ``key``.

        Parameters
        ----------
        key : str
            A parameter's name, one of the names in ``params``.

        Returns
        -------
        object
            Its value as the model stores it (exact sympy numbers, or tuples of them, for the built-in models).

        Raises
        ------
        KeyError
            The model has no parameter ``key`` (the message lists those it has).
        """
        for k, x in self.params:
            if k == key:
                return x
        raise KeyError(f"{self.name} has no parameter {key!r}; it has {[k for k, _ in self.params]}")

    def density(self, k: int = 0) -> sp.Matrix:
        """The ``k``-th initial state as a density matrix (a vector becomes its normalised projector).

        Parameters
        ----------
        k : int, default 0
            Index into ``rho0`` (``0 <= k < len(rho0)``).

        Returns
        -------
        sympy.Matrix
            A new exact ``N x N`` matrix: the state as given, or :math:`|\\psi\\rangle\\langle\\psi|/\\langle\\psi|\\psi\\rangle`.
        """
        r = self.rho0[k]
        if r.cols == 1:
            return sp.Matrix(r * r.H) / sum(sp.Abs(c) ** 2 for c in r)
        return sp.Matrix(r)

    @functools.cached_property
    def _numeric(self) -> tuple[np.ndarray, tuple[np.ndarray, ...], np.ndarray]:
        return to_numpy(self.H), tuple(to_numpy(L) for L in self.jump_ops), np.array([_state(r) for r in self.rho0])

    def numeric(self) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
        """``(H, jump_ops, rho0)`` as new complex128 arrays; ``rho0`` is ``(N, N)``, or ``(B, N, N)`` for several states.

        Returns
        -------
        H : numpy.ndarray
            The Hamiltonian, ``(N, N)``.
        jump_ops : list of numpy.ndarray
            The jump operators, each ``(N, N)``.
        rho0 : numpy.ndarray
            The initial density matrices (vectors made projectors): ``(N, N)`` for one state, ``(B, N, N)`` for ``B``.
        """
        H, Ls, rho = self._numeric
        return H.copy(), [L.copy() for L in Ls], (rho[0] if rho.shape[0] == 1 else rho).copy()

    def input_error(self, elapsed: Any) -> np.ndarray:
        r"""Bound on the trace-norm change of :math:`\rho(t)` caused by rounding the model's entries, after ``elapsed``.

        Each entry moves by at most :data:`ENTRY_ROUNDING` times its size, so :math:`\|\Delta X\|_2 \le \|\Delta X\|_F
        \le \epsilon\|\hat X\|_F(1+\epsilon)`; rounding keeps :math:`\hat H` Hermitian, so the rounded model is a
        Lindbladian too.  Its generator differs in trace norm by
        :math:`\delta = 2\|\Delta H\| + \sum_k 2(2\|\Delta L_k\|\|L_k\| + \|\Delta L_k\|^2)`, and by Duhamel's formula
        with both flows contractive (Breuer & Petruccione sec. 3.2)
        :math:`\|\hat\rho(t) - \rho(t)\|_{\rm tr} \le \|\Delta\rho_0\|_{\rm tr} + t\,\delta`, with
        :math:`\|\Delta\rho_0\|_{\rm tr} \le \sqrt N\|\Delta\rho_0\|_F`.

        Parameters
        ----------
        elapsed : array_like
            Evolution times :math:`t \ge 0` (finite), in the model's time units.

        Returns
        -------
        numpy.ndarray
            Same shape as ``elapsed`` (0-d for a scalar): the bound :math:`\|\Delta\rho_0\|_{\rm tr} + t\,\delta`, the
            largest over the initial states.

        Raises
        ------
        ValueError
            A negative or non-finite time.
        """
        t = np.asarray(elapsed, dtype=float)
        if np.any(t < 0) or not np.all(np.isfinite(t)):
            raise ValueError("elapsed times must be finite and non-negative")
        e = ENTRY_ROUNDING * (1 + ENTRY_ROUNDING)
        H, Ls, rho = self._numeric
        delta = 2 * e * np.linalg.norm(H)
        for L in Ls:
            a = e * np.linalg.norm(L)
            b = np.linalg.norm(L, 2) + a
            delta += 2 * (2 * a * b + a * a)
        d_rho = math.sqrt(self.dim) * e * max(float(np.linalg.norm(r)) for r in rho)
        return d_rho + t * delta


def _params(**kw: Any) -> tuple[tuple[str, Any], ...]:
    return tuple(kw.items())


def rabi_dephasing(W: Any, g: Any) -> LindbladModel:
    r"""Driven, dephased qubit: :math:`H = \tfrac W2\sigma_x`, :math:`L = \sqrt{g/2}\,\sigma_z`, :math:`\rho_0 = |0\rangle\langle0|`
    (coherences decay at rate :math:`g`; Allen & Eberly, *Optical Resonance and Two-Level Atoms*, 1975, ch. 2)."""
    W, g = exact(W, "W"), exact(g, "g")
    if g < 0:
        raise ValueError("g must be >= 0")
    return LindbladModel("rabi_dephasing", sp.ImmutableMatrix(W / 2 * SX), (sp.ImmutableMatrix(sp.sqrt(g / 2) * SZ),),
                         (sp.ImmutableMatrix([[1, 0], [0, 0]]),), _params(W=W, g=g))


def qubit_state(r: Sequence[Any]) -> sp.ImmutableMatrix:
    r""":math:`\tfrac12(I + x\sigma_x + y\sigma_y + z\sigma_z)` for an exact Bloch vector of length <= 1 (Nielsen & Chuang eq. 4.5)."""
    x, y, z = (exact(c, f"r[{i}]") for i, c in enumerate(v.reals(r, "r", length=3)))
    if x**2 + y**2 + z**2 > 1:
        raise ValueError(f"the Bloch vector must have length <= 1; got {(x, y, z)}")
    return sp.ImmutableMatrix((I2 + x * SX + y * SY + z * SZ) / 2)


def amplitude_damping(w: Any, gamma: Any, g: Any, r0: Sequence[Any] = (0.0, 0.0, 1.0)) -> LindbladModel:
    r"""Precession, amplitude damping and dephasing: :math:`H = \tfrac w2\sigma_z`, :math:`L_1 = \sqrt\gamma\,\sigma_-`,
    :math:`L_2 = \sqrt{g/2}\,\sigma_z`, :math:`\rho_0` with Bloch vector ``r0`` (Breuer & Petruccione sec. 3.4.1)."""
    w, gamma, g = exact(w, "w"), exact(gamma, "gamma"), exact(g, "g")
    if gamma < 0 or g < 0:
        raise ValueError("gamma and g must be >= 0")
    r = tuple(v.reals(r0, "r0", length=3))
    return LindbladModel("amplitude_damping", sp.ImmutableMatrix(w / 2 * SZ),
                         (sp.ImmutableMatrix(sp.sqrt(gamma) * SM), sp.ImmutableMatrix(sp.sqrt(g / 2) * SZ)),
                         (qubit_state(r),), _params(w=w, gamma=gamma, g=g, r0=tuple(exact(c, "r0") for c in r)))


def damped_oscillator(alpha0: complex, w: Any, kappa: Any, dim: int) -> LindbladModel:
    r"""Damped oscillator in ``dim`` Fock levels: :math:`H = w a^\dagger a`, :math:`L = \sqrt\kappa\,a` (truncated),
    :math:`\rho_0 = P|\alpha_0\rangle\langle\alpha_0|P/\mathrm{tr}` the coherent state projected on the kept levels and
    renormalised (Walls & Milburn, *Quantum Optics*, 2008, sec. 6.1; Glauber, Phys. Rev. 131 (1963) 2766)."""
    if not isinstance(alpha0, complex):
        raise TypeError(f"alpha0 must be a complex number; got {v.describe(alpha0)}")
    a0 = exact(alpha0.real, "alpha0.real") + sp.I * exact(alpha0.imag, "alpha0.imag")
    w, kappa = exact(w, "w"), exact(kappa, "kappa")
    d = v.integer(dim, "dim", minimum=2)
    a = sp.ImmutableMatrix(d, d, lambda i, j: sp.sqrt(j) if j == i + 1 else 0)
    psi = sp.ImmutableMatrix([a0**n / sp.sqrt(sp.factorial(n)) for n in range(d)])  # e^{-|a|^2/2} cancels
    return LindbladModel("damped_oscillator", sp.ImmutableMatrix(w * a.H * a), (sp.ImmutableMatrix(sp.sqrt(kappa) * a),),
                         (psi,), _params(alpha0=a0, w=w, kappa=kappa, dim=d))


def dephased_dimer(J: Any, g: Any) -> LindbladModel:
    r"""Dephased dimer: :math:`H = J\sigma_x`, :math:`L_i = \sqrt g\,|i\rangle\langle i|` (coherences decay at rate :math:`g`),
    :math:`\rho_0 = |0\rangle\langle 0|` (Haken & Strobl, Z. Phys. 262 (1973) 135).  ``J`` and ``g`` may be exact sympy
    rationals or floats."""
    J = J if isinstance(J, sp.Rational) else exact(J, "J")
    g = g if isinstance(g, sp.Rational) else exact(g, "g")
    if g <= 0:
        raise ValueError("g must be > 0")
    Ls = (sp.ImmutableMatrix(sp.sqrt(g) * sp.diag(1, 0)), sp.ImmutableMatrix(sp.sqrt(g) * sp.diag(0, 1)))
    return LindbladModel("dephased_dimer", sp.ImmutableMatrix(J * SX), Ls, (sp.ImmutableMatrix(sp.diag(1, 0)),),
                         _params(J=J, g=g))


def scaled_dimer(x: Any) -> LindbladModel:
    r"""The dephased dimer at :math:`x = J/g` in units where the classical imbalance rate :math:`4J^2/g` is 1:
    :math:`J = 1/(4x)`, :math:`g = 1/(4x^2)` (exact in :math:`x`, the decimal the float is written as)."""
    xe = exact(x, "x")
    if not 0 < xe < sp.Rational(1, 4):
        raise ValueError(f"x = J/g must be in (0, 1/4); got {x}")
    return dephased_dimer(1 / (4 * xe), 1 / (4 * xe**2))


def dimer_classical_rate(model: LindbladModel) -> sp.Expr:
    r"""The classical hopping rate the strong-dephasing check compares the dimer with: :math:`w = 2J^2/g`
    (the rate law under test; the theory derives it as ``strong_dephasing_rates``, and the check's predict
    verifies that the two agree)."""
    return 2 * model.param("J") ** 2 / model.param("g")


def classical_chain(rates: Any, p0: Sequence[Any]) -> LindbladModel:
    r"""A classical Markov chain embedded in Lindblad form: :math:`H = 0`, :math:`L_{ij} = \sqrt{w_{ij}}\,|i\rangle\langle j|`
    for every :math:`w_{ij} > 0` (:math:`i \leftarrow j`), :math:`\rho_0 = \mathrm{diag}(p_0)` (Breuer & Petruccione sec. 3.2).

    ``rates`` is a square matrix (sequence of rows) of non-negative rates; its diagonal is ignored."""
    rows = [v.reals(r, f"rates[{i}]", minimum=0.0) for i, r in enumerate(_rows(rates))]
    n = len(rows)
    if any(len(r) != n for r in rows):
        raise ValueError("rates must be a square matrix")
    w = sp.ImmutableMatrix(n, n, lambda i, j: 0 if i == j else exact(rows[i][j], f"rates[{i}][{j}]"))
    p = [exact(x, f"p0[{i}]") for i, x in enumerate(v.reals(p0, "p0", minimum=0.0, length=n))]
    if sum(p) != 1:
        raise ValueError(f"p0 must sum to 1; got {sum(p)}")
    ops = []
    for i in range(n):
        for j in range(n):
            if i != j and w[i, j] != 0:
                L = sp.zeros(n, n)
                L[i, j] = sp.sqrt(w[i, j])
                ops.append(sp.ImmutableMatrix(L))
    return LindbladModel("classical_chain", sp.ImmutableMatrix(sp.zeros(n, n)), tuple(ops),
                         (sp.ImmutableMatrix(sp.diag(*p)),), _params(rates=w, p0=tuple(p)))


def _rows(value: Any) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, np.ndarray)):
        raise TypeError(f"rates must be a matrix (sequence of rows); got {v.describe(value)}")
    return list(value)


def hopping_chain(n: int, J: Any) -> LindbladModel:
    r"""A closed tight-binding chain :math:`H = J\sum_i (|i\rangle\langle i+1| + |i+1\rangle\langle i|)` on ``n`` sites, started in
    every site state :math:`|j\rangle\langle j|` (a batch of ``n`` initial states; no jump operators)."""
    n = v.integer(n, "n", minimum=2)
    J = exact(J, "J")
    H = sp.ImmutableMatrix(n, n, lambda i, j: J if abs(i - j) == 1 else 0)
    states = tuple(sp.ImmutableMatrix(n, n, lambda i, k, j=j: 1 if i == k == j else 0) for j in range(n))
    return LindbladModel("hopping_chain", H, (), states, _params(n=n, J=J))


def trine_povm() -> tuple[sp.ImmutableMatrix, ...]:
    r"""Trine POVM :math:`E_k = \tfrac23|\psi_k\rangle\langle\psi_k|`, :math:`\psi_k = \cos(k\pi/3)|0\rangle + \sin(k\pi/3)|1\rangle`,
    :math:`k = 0, 1, 2` (Peres, *Quantum Theory: Concepts and Methods*, 1993, sec. 9.6)."""
    out = []
    for k in range(3):
        psi = sp.Matrix([sp.cos(k * sp.pi / 3), sp.sin(k * sp.pi / 3)])
        out.append(sp.ImmutableMatrix(sp.Rational(2, 3) * psi * psi.T))
    return tuple(out)
