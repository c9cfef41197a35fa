"""Symbolic density matrices, commutators, the Lindblad dissipator and the Liouvillian.

Conventions: column stacking, :math:`\\mathrm{vec}(AXB) = (B^T \\otimes A)\\,\\mathrm{vec}X`
(Horn & Johnson, *Topics in Matrix Analysis*, 1991, sec. 4.3; QuTiP uses the same).
Lindblad form: Lindblad, Commun. Math. Phys. 48 (1976) 119; Gorini, Kossakowski,
Sudarshan, J. Math. Phys. 17 (1976) 821; Breuer & Petruccione, *The Theory of Open
Quantum Systems* (2002), sec. 3.2.
"""

from __future__ import annotations

from typing import Sequence

import sympy as sp

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
]


def _as_square(name: str, A: object) -> sp.Matrix:
    try:
        M = sp.Matrix(A)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a square matrix (sympy Matrix or nested list), got {type(A).__name__}") from exc
    if M.rows != M.cols or M.rows < 1:
        raise ValueError(f"{name} must be square with size >= 1, got shape {M.shape}")
    return M


def _ops(name: str, ops: Sequence[object], n: int) -> list[sp.Matrix]:
    if isinstance(ops, (sp.MatrixBase, str)) or not isinstance(ops, (list, tuple)):
        raise TypeError(f"{name} must be a list/tuple of square matrices")
    out = [_as_square(f"{name}[{k}]", L) for k, L in enumerate(ops)]
    for k, L in enumerate(out):
        if L.shape != (n, n):
            raise ValueError(f"{name}[{k}] must have shape ({n}, {n}), got {L.shape}")
    return out


def symbolic_density_matrix(n: int, name: str = "rho") -> sp.Matrix:
    r"""A general Hermitian ``n x n`` matrix of unit trace with symbolic entries.

    :math:`\rho_{ii} = p_i` (real, :math:`p_n = 1 - \sum_{i<n} p_i`),
    :math:`\rho_{ij} = a_{ij} + i b_{ij} = \overline{\rho_{ji}}` for :math:`i<j`
    (Nielsen & Chuang, *Quantum Computation and Quantum Information*, 2000, sec. 2.4).
    Positivity is an extra condition on the symbols, not built in.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    p = sp.symbols(f"{name}_p0:{n}", real=True)
    M = sp.zeros(n, n)
    for i in range(n - 1):
        M[i, i] = p[i]
    M[n - 1, n - 1] = 1 - sum(p[: n - 1])
    for i in range(n):
        for j in range(i + 1, n):
            a, b = sp.symbols(f"{name}_a{i}{j} {name}_b{i}{j}", real=True)
            M[i, j] = a + sp.I * b
            M[j, i] = a - sp.I * b
    return M


def pauli(which: str) -> sp.Matrix:
    r"""Pauli matrices ``"x"``, ``"y"``, ``"z"``, identity ``"i"``, lowering ``"-"`` = :math:`|1\rangle\langle 0|`, raising ``"+"``.

    Basis :math:`|0\rangle` = the :math:`\sigma_z = +1` state (Nielsen & Chuang sec. 2.1.3; as in QuTiP).
    """
    table = {
        "x": [[0, 1], [1, 0]],
        "y": [[0, -sp.I], [sp.I, 0]],
        "z": [[1, 0], [0, -1]],
        "i": [[1, 0], [0, 1]],
        "-": [[0, 0], [1, 0]],
        "+": [[0, 1], [0, 0]],
    }
    if which not in table:
        raise ValueError(f"which must be one of {sorted(table)}, got {which!r}")
    return sp.Matrix(table[which])


def bloch_density_matrix(x: object, y: object, z: object) -> sp.Matrix:
    r"""Qubit state :math:`\rho = \tfrac12 (I + x\sigma_x + y\sigma_y + z\sigma_z)` (Nielsen & Chuang eq. 4.5)."""
    return (pauli("i") + x * pauli("x") + y * pauli("y") + z * pauli("z")) / 2


def commutator(A: object, B: object) -> sp.Matrix:
    r""":math:`[A, B] = AB - BA`."""
    A, B = sp.Matrix(A), sp.Matrix(B)
    return A * B - B * A


def anticommutator(A: object, B: object) -> sp.Matrix:
    r""":math:`\{A, B\} = AB + BA`."""
    A, B = sp.Matrix(A), sp.Matrix(B)
    return A * B + B * A


def dissipator(L: object, rho: object) -> sp.Matrix:
    r"""Lindblad dissipator :math:`D[L]\rho = L\rho L^\dagger - \tfrac12\{L^\dagger L, \rho\}` (Lindblad 1976)."""
    L, rho = sp.Matrix(L), sp.Matrix(rho)
    Ld = L.H
    return L * rho * Ld - anticommutator(Ld * L, rho) / 2


def lindblad_rhs(H: object, jump_ops: Sequence[object], rho: object) -> sp.Matrix:
    r"""Right-hand side of the master equation
    :math:`\dot\rho = -i[H,\rho] + \sum_k D[L_k]\rho` (:math:`\hbar = 1`; Breuer & Petruccione eq. 3.63)."""
    Hm = _as_square("H", H)
    rho = _as_square("rho", rho)
    if rho.shape != Hm.shape:
        raise ValueError(f"rho must have the shape of H {Hm.shape}, got {rho.shape}")
    out = -sp.I * commutator(Hm, rho)
    for L in _ops("jump_ops", jump_ops, Hm.rows):
        out += dissipator(L, rho)
    return out


def vec(X: object) -> sp.Matrix:
    r"""Column-stacking vectorisation: :math:`\mathrm{vec}(X)_{i + n j} = X_{ij}` (Horn & Johnson sec. 4.2)."""
    X = sp.Matrix(X)
    return sp.Matrix([X[i, j] for j in range(X.cols) for i in range(X.rows)])


def unvec(v: object, n: int | None = None) -> sp.Matrix:
    r"""Inverse of :func:`vec` for a square ``n x n`` matrix."""
    v = sp.Matrix(v)
    m = v.rows * v.cols
    n = int(round(m**0.5)) if n is None else int(n)
    if n * n != m:
        raise ValueError(f"v must have n^2 entries for a square matrix, got {m}")
    return sp.Matrix(n, n, lambda i, j: v[i + n * j])


def _kron(A: sp.Matrix, B: sp.Matrix) -> sp.Matrix:
    return sp.kronecker_product(A, B)


def liouvillian(H: object, jump_ops: Sequence[object]) -> sp.Matrix:
    r"""The Liouvillian superoperator in column-stacking convention.

    With :math:`\mathrm{vec}(AXB) = (B^T\otimes A)\mathrm{vec}X`,

    .. math::
        \mathcal L = -i(I\otimes H - H^T\otimes I)
        + \sum_k \Big(\bar L_k\otimes L_k - \tfrac12 I\otimes L_k^\dagger L_k
        - \tfrac12 (L_k^\dagger L_k)^T\otimes I\Big),

    so that :math:`\mathrm{vec}\,\dot\rho = \mathcal L\,\mathrm{vec}\rho`
    (Am-Shallem et al., arXiv:1510.08634, eq. 9; Horn & Johnson sec. 4.3).

    Parameters
    ----------
    H
        Hamiltonian, ``n x n`` (sympy Matrix or nested list; Hermiticity is the caller's assumption
        for symbolic entries and is checked when the entries are numbers).
    jump_ops
        List of ``n x n`` jump operators :math:`L_k`.

    Returns
    -------
    sympy.Matrix
        ``n^2 x n^2``.
    """
    Hm = _as_square("H", H)
    n = Hm.rows
    if all(e.is_number for e in Hm) and not (Hm - Hm.H).is_zero_matrix:
        diff = max(abs(complex(e)) for e in (Hm - Hm.H))
        if diff > 1e-12:
            raise ValueError(f"H must be Hermitian (max |H - H^dagger| = {diff:.3g} > 1e-12)")
    I = sp.eye(n)
    Lv = -sp.I * (_kron(I, Hm) - _kron(Hm.T, I))
    for L in _ops("jump_ops", jump_ops, n):
        K = L.H * L
        Lv += _kron(L.conjugate(), L) - _kron(I, K) / 2 - _kron(K.T, I) / 2
    return sp.simplify(Lv) if not all(e.is_number for e in Lv) else Lv


def liouvillian_spectrum(H: object, jump_ops: Sequence[object]) -> dict[sp.Expr, int]:
    r"""Eigenvalues of :func:`liouvillian` with multiplicities (``sympy`` ``eigenvals``).

    All have non-positive real part and come in complex-conjugate pairs; 0 is always one
    (trace preservation; Breuer & Petruccione sec. 3.2.1)."""
    return {sp.simplify(k): v for k, v in liouvillian(H, jump_ops).eigenvals().items()}
