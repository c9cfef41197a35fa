"""Hypothesis strategies for quantum states, generators and channels (numpy complex arrays).

Every object is built from drawn real numbers by a construction that guarantees its
defining property (a Gram matrix is PSD; a Hermitian part is Hermitian; blocks of an
isometry are a complete set of Kraus operators), so it is valid by construction, not by filtering.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

__all__ = ["density_matrices", "hamiltonians", "jump_operators", "kraus_channels", "unitaries"]

_KINDS = ("any", "pure", "mixed", "rank_deficient")


def _check_dim(name: str, v: int, lo: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise ValueError(f"{name} must be an int >= {lo}, got {v!r}")
    return v


def _complex_matrix(draw: Any, rows: int, cols: int, scale: float = 1.0) -> np.ndarray:
    vals = draw(st.lists(st.floats(-1, 1, allow_nan=False, allow_infinity=False), min_size=2 * rows * cols,
                         max_size=2 * rows * cols))
    a = np.asarray(vals, float).reshape(2, rows, cols)
    return scale * (a[0] + 1j * a[1])


def _unitary_from(G: np.ndarray) -> np.ndarray:
    # QR of a (regularised) matrix, phases fixed: a unitary for every draw
    Q, R = np.linalg.qr(G + 2.0 * np.eye(G.shape[0]))
    d = np.diag(R)
    return Q * (d / np.abs(d))


@st.composite
def _matrix(draw: Any, rows: int, cols: int, scale: float) -> np.ndarray:
    return _complex_matrix(draw, rows, cols, scale)


@st.composite
def _density(draw: Any, dim: int, kind: str) -> np.ndarray:
    if kind == "any":
        kind = draw(st.sampled_from(["pure", "mixed"] + (["rank_deficient"] if dim >= 3 else [])))
    rank = {"pure": 1, "mixed": dim}.get(kind)
    if rank is None:
        rank = draw(st.integers(2, dim - 1))
    G = _complex_matrix(draw, dim, rank)
    # make the columns independent whatever was drawn: add a fixed full-column-rank matrix
    G = G + np.eye(dim, rank)
    rho = G @ G.conj().T
    if kind == "mixed":
        rho = rho + draw(st.floats(1e-3, 1.0)) * np.trace(rho).real / dim * np.eye(dim)
    return rho / np.trace(rho).real


def density_matrices(*, dim: int = 2, kind: str = "any") -> SearchStrategy[np.ndarray]:
    """Density matrices ``(dim, dim)``: Hermitian, PSD, unit trace.

    ``kind``: ``"pure"`` (rank 1), ``"mixed"`` (full rank, smallest eigenvalue >= ~1e-3/dim),
    ``"rank_deficient"`` (rank strictly between 1 and ``dim``; needs ``dim >= 3``) or ``"any"``.
    Built as :math:`GG^\\dagger/\\mathrm{tr}(GG^\\dagger)` from a drawn ``dim x rank`` matrix ``G``
    (Nielsen & Chuang, *Quantum Computation and Quantum Information*, sec. 2.4.1).

    Parameters
    ----------
    dim : int, default 2
        Hilbert-space dimension (>= 1).
    kind : {"any", "pure", "mixed", "rank_deficient"}, default "any"
        The rank class drawn (see above); ``"mixed"`` needs ``dim >= 2``.

    Returns
    -------
    SearchStrategy[numpy.ndarray]
        Complex arrays of shape ``(dim, dim)``.

    Raises
    ------
    ValueError
        ``dim`` not an int >= 1, an unknown ``kind``, or a ``kind`` impossible at this ``dim``.
    """
    _check_dim("dim", dim)
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
    if kind == "rank_deficient" and dim < 3:
        raise ValueError("kind='rank_deficient' needs dim >= 3")
    if kind == "mixed" and dim < 2:
        raise ValueError("kind='mixed' needs dim >= 2")
    return _density(dim, kind)


def hamiltonians(*, dim: int = 2, scale: float = 1.0) -> SearchStrategy[np.ndarray]:
    """Hermitian matrices :math:`(A + A^\\dagger)/2` (Hamiltonians).

    The real and imaginary parts of every entry of ``A`` are drawn in ``[-scale, scale]``.

    Parameters
    ----------
    dim : int, default 2
        Dimension (>= 1).
    scale : float, default 1.0
        Bound on the real and imaginary parts of the entries of ``A`` (> 0).

    Returns
    -------
    SearchStrategy[numpy.ndarray]
        Complex Hermitian arrays of shape ``(dim, dim)``.

    Raises
    ------
    ValueError
        ``dim`` not an int >= 1 or ``scale <= 0``.
    """
    _check_dim("dim", dim)
    if not scale > 0:
        raise ValueError(f"scale must be > 0, got {scale!r}")
    return st.builds(lambda A: (A + A.conj().T) / 2, _matrix(dim, dim, scale))


def jump_operators(*, dim: int = 2, min_count: int = 0, max_count: int = 3, scale: float = 0.5) -> SearchStrategy[list[np.ndarray]]:
    """Lists of arbitrary (non-Hermitian) ``(dim, dim)`` jump operators of a Lindblad generator.

    Parameters
    ----------
    dim : int, default 2
        Dimension (>= 1).
    min_count, max_count : int, default 0 and 3
        Range of the number of operators (``0 <= min_count <= max_count``).
    scale : float, default 0.5
        Bound on the real and imaginary parts of every entry.

    Returns
    -------
    SearchStrategy[list[numpy.ndarray]]
        Lists of ``min_count..max_count`` complex arrays of shape ``(dim, dim)``.

    Raises
    ------
    ValueError
        ``dim`` not an int >= 1, or not ``0 <= min_count <= max_count``.
    """
    _check_dim("dim", dim)
    if not 0 <= min_count <= max_count:
        raise ValueError(f"need 0 <= min_count <= max_count, got {min_count}, {max_count}")
    return st.lists(_matrix(dim, dim, scale), min_size=min_count, max_size=max_count)


def unitaries(*, dim: int = 2) -> SearchStrategy[np.ndarray]:
    """Unitary ``(dim, dim)`` matrices (Q factor of a drawn matrix, phases fixed).

    Parameters
    ----------
    dim : int, default 2
        Dimension (>= 1).

    Returns
    -------
    SearchStrategy[numpy.ndarray]
        Complex unitary arrays of shape ``(dim, dim)``.

    Raises
    ------
    ValueError
        ``dim`` not an int >= 1.
    """
    _check_dim("dim", dim)
    return st.builds(_unitary_from, _matrix(dim, dim, 1.0))


@st.composite
def _kraus(draw: Any, dim_in: int, dim_out: int, n: int, unital: bool) -> list[np.ndarray]:
    if unital:
        w = np.asarray(draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n)))
        w = w / w.sum()
        return [np.sqrt(wk) * draw(unitaries(dim=dim_in)) for wk in w]
    n = max(n, -(-dim_in // dim_out))  # an isometry C^dim_in -> C^(n dim_out) needs n dim_out >= dim_in
    G = _complex_matrix(draw, n * dim_out, dim_in) + np.eye(n * dim_out, dim_in)
    U, _, Vh = np.linalg.svd(G, full_matrices=False)
    V = U @ Vh  # isometry: V^dagger V = I  =>  sum_k K_k^dagger K_k = I
    return [V[k * dim_out:(k + 1) * dim_out] for k in range(n)]


def kraus_channels(*, dim_in: int = 2, dim_out: int | None = None, min_ops: int = 1, max_ops: int = 4,
                   unital: bool = False) -> SearchStrategy[list[np.ndarray]]:
    """Complete sets of Kraus operators :math:`\\{K_k\\}`, :math:`\\sum_k K_k^\\dagger K_k = I` (CPTP channels).

    Built from the blocks of an isometry (Stinespring; Nielsen & Chuang sec. 8.2.3); the number of
    operators is raised to ``ceil(dim_in / dim_out)`` when needed.  ``unital=True``
    gives random mixtures of unitaries :math:`\\sum_k p_k U_k\\rho U_k^\\dagger` (unital: :math:`\\Phi(I) = I`;
    needs ``dim_out`` equal to ``dim_in``).

    Parameters
    ----------
    dim_in : int, default 2
        Input dimension (>= 1).
    dim_out : int, optional
        Output dimension (>= 1); default ``dim_in``.
    min_ops, max_ops : int, default 1 and 4
        Range of the number of Kraus operators (``1 <= min_ops <= max_ops``), raised to
        ``ceil(dim_in / dim_out)`` where needed.
    unital : bool, default False
        Draw mixtures of unitaries (unital channels).

    Returns
    -------
    SearchStrategy[list[numpy.ndarray]]
        Lists of complex arrays of shape ``(dim_out, dim_in)`` with
        :math:`\\sum_k K_k^\\dagger K_k = I`.

    Raises
    ------
    ValueError
        A dimension not an int >= 1, not ``1 <= min_ops <= max_ops``, or ``unital`` with
        ``dim_out != dim_in``.
    """
    _check_dim("dim_in", dim_in)
    dim_out = dim_in if dim_out is None else _check_dim("dim_out", dim_out)
    if unital and dim_out != dim_in:
        raise ValueError("unital channels need dim_out == dim_in")
    if not 1 <= min_ops <= max_ops:
        raise ValueError(f"need 1 <= min_ops <= max_ops, got {min_ops}, {max_ops}")
    return st.integers(min_ops, max_ops).flatmap(lambda n: _kraus(dim_in, dim_out, n, unital))
