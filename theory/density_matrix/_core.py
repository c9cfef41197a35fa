r"""Symbolic density matrices, commutators, the Lindblad dissipator and the Liouvillian.

Conventions: column stacking, :math:`\mathrm{vec}(AXB) = (B^T \otimes A)\,\mathrm{vec}X`
(Horn & Johnson, *Topics in Matrix Analysis*, 1991, sec. 4.3; QuTiP uses the same);
:math:`\hbar = 1`.  The GKSL form of the generator: Lindblad, Commun. Math. Phys. 48 (1976) 119;
Gorini, Kossakowski & Sudarshan, J. Math. Phys. 17 (1976) 821; Breuer & Petruccione, *The
Theory of Open Quantum Systems* (2002), sec. 3.2.
"""

from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from theory import validate as v
from theory.density_matrix._validate import identifier, matrix, num, operators

__all__ = [
    "symbolic_density_matrix",
    "bloch_density_matrix",
    "pauli",
    "commutator",
    "anticommutator",
    "dissipator",
    "lindblad_rhs",
    "vec",
    "unvec",
    "liouvillian",
    "liouvillian_spectrum",
    "matrix_exponential",
    "unitary_propagator",
]


def symbolic_density_matrix(n: int, name: str = "rho") -> sp.Matrix:
    r"""A general Hermitian ``n x n`` matrix of unit trace with symbolic entries.

    :math:`\rho_{ii} = p_i` (real, :math:`p_{n-1} = 1 - \sum_{i<n-1} p_i`),
    :math:`\rho_{ij} = a_{ij} + i b_{ij} = \overline{\rho_{ji}}` for :math:`i<j`
    (Nielsen & Chuang, *Quantum Computation and Quantum Information*, 2000, sec. 2.4.1).
    Positivity is an extra condition on the symbols, not built in.

    Parameters
    ----------
    n
        Dimension (an integer >= 1).
    name
        Prefix of the symbol names (an identifier).

    Returns
    -------
    sympy.Matrix
    """
    n = v.integer(n, "n", minimum=1)
    name = identifier(name, "name")
    p = sp.symbols(f"{name}_p0:{n}", real=True)
    M = sp.zeros(n, n)
    for i in range(n - 1):
        M[i, i] = p[i]
    M[n - 1, n - 1] = 1 - sum(p[: n - 1])
    for i in range(n):
        for j in range(i + 1, n):
            a, b = sp.Symbol(f"{name}_a{i}{j}", real=True), sp.Symbol(f"{name}_b{i}{j}", real=True)
            M[i, j] = a + sp.I * b
            M[j, i] = a - sp.I * b
    return M


_PAULI = {
    "x": ((0, 1), (1, 0)),
    "y": ((0, -sp.I), (sp.I, 0)),
    "z": ((1, 0), (0, -1)),
    "i": ((1, 0), (0, 1)),
    "-": ((0, 0), (1, 0)),
    "+": ((0, 1), (0, 0)),
}


def pauli(which: str) -> sp.Matrix:
    r"""A Pauli matrix: ``"x"``, ``"y"``, ``"z"``, the identity ``"i"``, lowering ``"-"`` = :math:`|1\rangle\langle 0|`
    or raising ``"+"``.

    Basis: :math:`|0\rangle` is the :math:`\sigma_z = +1` state (Nielsen & Chuang sec. 2.1.3; as in QuTiP).

    Parameters
    ----------
    which
        One of ``"x", "y", "z", "i", "-", "+"``.

    Returns
    -------
    sympy.Matrix
        A new ``2 x 2`` matrix.
    """
    which = v.choice(which, "which", sorted(_PAULI))
    return sp.Matrix(_PAULI[which])


def bloch_density_matrix(x: Any, y: Any, z: Any) -> sp.Matrix:
    r"""Qubit state :math:`\rho = \tfrac12 (I + x\sigma_x + y\sigma_y + z\sigma_z)` (Nielsen & Chuang eq. 4.5 / sec. 8.3).

    Parameters
    ----------
    x, y, z
        Real Bloch components (numbers or sympy expressions); a state needs :math:`x^2+y^2+z^2 \le 1`,
        checked when they are numbers.

    Returns
    -------
    sympy.Matrix
    """
    r = [num(a, nm) for a, nm in ((x, "x"), (y, "y"), (z, "z"))]
    norm2 = sum(c**2 for c in r)
    if norm2.is_number and bool(norm2 > 1):
        raise ValueError(f"the Bloch vector must have length <= 1; got |r|^2 = {norm2}")
    return (pauli("i") + r[0] * pauli("x") + r[1] * pauli("y") + r[2] * pauli("z")) / 2


def _pair(A: Any, B: Any) -> tuple[sp.Matrix, sp.Matrix]:
    Am, Bm = matrix(A, "A"), matrix(B, "B")
    if Am.shape != Bm.shape:
        raise ValueError(f"A and B must have the same shape; got {Am.shape} and {Bm.shape}")
    return Am, Bm


def commutator(A: Any, B: Any) -> sp.Matrix:
    r"""The commutator :math:`[A, B] = AB - BA` (Nielsen & Chuang sec. 2.1.9).

    Parameters
    ----------
    A, B
        Square matrices of one size (sympy matrices, numpy arrays or nested lists of numbers).

    Returns
    -------
    sympy.Matrix
    """
    Am, Bm = _pair(A, B)
    return Am * Bm - Bm * Am


def anticommutator(A: Any, B: Any) -> sp.Matrix:
    r"""The anticommutator :math:`\{A, B\} = AB + BA` (Nielsen & Chuang sec. 2.1.9).

    Parameters
    ----------
    A, B
        Square matrices of one size.

    Returns
    -------
    sympy.Matrix
    """
    Am, Bm = _pair(A, B)
    return Am * Bm + Bm * Am


def dissipator(L: Any, rho: Any) -> sp.Matrix:
    r"""Lindblad dissipator :math:`D[L]\rho = L\rho L^\dagger - \tfrac12\{L^\dagger L, \rho\}` (Lindblad 1976, eq. 5.1;
    Breuer & Petruccione eq. 3.63).

    Parameters
    ----------
    L, rho
        Square matrices of one size (the jump operator and the state or any operator).

    Returns
    -------
    sympy.Matrix
    """
    Lm, R = _pair(L, rho)
    Ld = Lm.H
    K = Ld * Lm
    return Lm * R * Ld - (K * R + R * K) / 2


def lindblad_rhs(H: Any, jump_ops: Sequence[Any], rho: Any) -> sp.Matrix:
    r"""Right-hand side of the GKSL master equation
    :math:`\dot\rho = -i[H,\rho] + \sum_k D[L_k]\rho` (:math:`\hbar = 1`; Lindblad 1976; Gorini, Kossakowski &
    Sudarshan 1976; Breuer & Petruccione eq. 3.63).

    Parameters
    ----------
    H
        Hamiltonian, ``n x n``.
    jump_ops
        List or tuple of ``n x n`` jump operators (possibly empty).
    rho
        ``n x n`` state (or any operator: the map is linear).

    Returns
    -------
    sympy.Matrix
    """
    Hm = matrix(H, "H")
    R = matrix(rho, "rho")
    if R.shape != Hm.shape:
        raise ValueError(f"rho must have the shape of H {Hm.shape}, got {R.shape}")
    out = -sp.I * (Hm * R - R * Hm)
    for L in operators(jump_ops, "jump_ops", Hm.rows):
        out += dissipator(L, R)
    return out


def vec(X: Any) -> sp.Matrix:
    r"""Column-stacking vectorisation :math:`\mathrm{vec}(X)_{i + n j} = X_{ij}` (Horn & Johnson sec. 4.2).

    Parameters
    ----------
    X
        A matrix (any shape).

    Returns
    -------
    sympy.Matrix
        A new ``(rows * cols) x 1`` column.
    """
    Xm = matrix(X, "X", square=False)
    return sp.Matrix([Xm[i, j] for j in range(Xm.cols) for i in range(Xm.rows)])


def unvec(x: Any, n: int | None = None) -> sp.Matrix:
    r"""Inverse of :func:`vec` for a square ``n x n`` matrix: :math:`X_{ij} = x_{i + nj}` (Horn & Johnson sec. 4.2).

    Parameters
    ----------
    x
        A vector (column, row or 1-d array) of :math:`n^2` entries.
    n
        The size (``None``: inferred from the length).

    Returns
    -------
    sympy.Matrix

    Raises
    ------
    ValueError
        ``x`` does not have :math:`n^2` entries.
    """
    xm = matrix(x, "x", square=False)
    m = xm.rows * xm.cols
    if n is None:
        n = int(round(m**0.5))
    n = v.integer(n, "n", minimum=1)
    if n * n != m:
        raise ValueError(f"x must have n^2 = {n * n} entries for a square matrix, got {m}")
    flat = list(xm)
    return sp.Matrix(n, n, lambda i, j: flat[i + n * j])


def liouvillian(H: Any, jump_ops: Sequence[Any]) -> sp.Matrix:
    r"""The Liouvillian superoperator in column-stacking convention.

    With :math:`\mathrm{vec}(AXB) = (B^T\otimes A)\mathrm{vec}X`,

    .. math::
        \mathcal L = -i(I\otimes H - H^T\otimes I)
        + \sum_k \Big(\bar L_k\otimes L_k - \tfrac12 I\otimes L_k^\dagger L_k
        - \tfrac12 (L_k^\dagger L_k)^T\otimes I\Big),

    so that :math:`\mathrm{vec}\,\dot\rho = \mathcal L\,\mathrm{vec}\rho` for the GKSL equation
    (Lindblad 1976; Gorini, Kossakowski & Sudarshan 1976; Am-Shallem et al., arXiv:1510.08634, eq. 9;
    Horn & Johnson sec. 4.3).

    Parameters
    ----------
    H
        Hamiltonian, ``n x n`` (sympy Matrix, numpy array or nested lists; Hermiticity is the caller's
        assumption for symbolic entries and is checked when the entries are numbers).
    jump_ops
        List or tuple of ``n x n`` jump operators :math:`L_k`.

    Returns
    -------
    sympy.Matrix
        ``n^2 x n^2``.

    Raises
    ------
    TypeError
        A matrix that is not one, or entries that are strings, bools or ``None``.
    ValueError
        Shapes that do not match, or a numeric ``H`` that is not Hermitian.
    """
    Hm = matrix(H, "H")
    n = Hm.rows
    if all(e.is_number for e in Hm) and not (Hm - Hm.H).is_zero_matrix:
        diff = max(abs(complex(e)) for e in (Hm - Hm.H))
        if diff > 1e-12:
            raise ValueError(f"H must be Hermitian (max |H - H^dagger| = {diff:.3g} > 1e-12)")
    I = sp.eye(n)
    Lv = -sp.I * (sp.kronecker_product(I, Hm) - sp.kronecker_product(Hm.T, I))
    for L in operators(jump_ops, "jump_ops", n):
        K = L.H * L
        Lv += sp.kronecker_product(L.conjugate(), L) - sp.kronecker_product(I, K) / 2 - sp.kronecker_product(K.T, I) / 2
    return sp.simplify(Lv) if not all(e.is_number for e in Lv) else Lv


def liouvillian_spectrum(H: Any, jump_ops: Sequence[Any]) -> dict[sp.Expr, int]:
    r"""Eigenvalues of :func:`liouvillian` with their algebraic multiplicities (``sympy`` ``eigenvals``).

    All have non-positive real part and come in complex-conjugate pairs; 0 is always one
    (trace preservation; Breuer & Petruccione sec. 3.2.1; Evans, Commun. Math. Phys. 54 (1977) 293).

    Parameters
    ----------
    H, jump_ops
        The generator (see :func:`liouvillian`).

    Returns
    -------
    dict
        ``{eigenvalue: multiplicity}``.
    """
    return {sp.simplify(k): m for k, m in liouvillian(H, jump_ops).eigenvals().items()}


def matrix_exponential(M: Any, t: Any) -> sp.Matrix:
    r""":math:`e^{Mt}` for a square matrix, by Sylvester's formula when the eigenvalues are distinct.

    :math:`e^{Mt} = \sum_i e^{\mu_i t}\prod_{j\ne i}(M - \mu_j I)/(\mu_i - \mu_j)` (Horn & Johnson, *Topics in Matrix
    Analysis*, 1991, sec. 6.1; Higham, *Functions of Matrices*, 2008, sec. 1.2): no Jordan decomposition and no
    simplification, so a closed form in seconds where ``sympy``'s ``exp`` takes minutes.  With repeated
    eigenvalues ``sympy``'s Jordan-form exponential is used.

    Parameters
    ----------
    M
        Square matrix (numbers or sympy expressions; eigenvalues by ``sympy``).
    t
        Time (a real number or sympy expression).

    Returns
    -------
    sympy.Matrix
    """
    A = matrix(M, "M")
    tt = num(t, "t")
    mus = A.eigenvals()
    if any(m > 1 for m in mus.values()):
        return (A * tt).exp()
    n = A.rows
    I = sp.eye(n)
    out = sp.zeros(n, n)
    for mi in mus:
        term = I
        for mj in mus:
            if mj != mi:
                term = term * (A - mj * I) / (mi - mj)
        out += sp.exp(mi * tt) * term
    return out


def unitary_propagator(H: Any, t: Any) -> sp.Matrix:
    r"""The unitary :math:`U(t) = e^{-iHt}` of a Hamiltonian (:math:`\hbar = 1`; Nielsen & Chuang sec. 2.2.2), by
    :func:`matrix_exponential`.

    Parameters
    ----------
    H
        Hermitian matrix (checked when numeric).
    t
        Time.

    Returns
    -------
    sympy.Matrix

    Raises
    ------
    ValueError
        A numeric ``H`` that is not Hermitian.
    """
    Hm = matrix(H, "H")
    if all(e.is_number for e in Hm) and not (Hm - Hm.H).is_zero_matrix:
        raise ValueError("H must be Hermitian")
    return matrix_exponential(-sp.I * Hm, t)
