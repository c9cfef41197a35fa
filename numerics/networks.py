"""Ensembles of randomly initialised networks as one batched tensor program, and their output statistics.

An MLP ensemble of E members is a stack of weight tensors ``W^{(l)}`` of shape
``(E, n_{l-1}, n_l)``; the forward pass for all members is one batched matmul per
layer (``torch.matmul`` broadcasting the inputs), processed in chunks of members so
that peak memory is bounded however large E is.  Conventions (the same as the
theory): ``z^{(1)} = W^{(1)} x + b^{(1)}``, ``W^{(l)}_{ij} ~ N(0, C_W^{(l)}/n_{l-1})``
with ``n_0 = d``, ``b^{(l)} ~ N(0, C_b^{(l)})``, scalar output.

``mlp_ensemble_outputs(..., method="function_space")`` samples the same outputs by a
different, exact algorithm that never draws the weights: layer by layer, the
preactivations on the given inputs are Gaussian given the previous layer (see
:mod:`numerics._function_space`).

Statistics come with computed standard errors: iid means (analytic) and the delta
method for ratios of means (Casella & Berger, *Statistical Inference*, sec. 5.5.4);
they live in :mod:`numerics._network_stats` and are re-exported here.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np
import torch

from numerics._function_space import function_space_chunk
from numerics._network_stats import (
    conditional_fourth_cumulant_estimate,
    conditional_moment_ratio_estimate,
    conditional_moments_estimate,
    covariance_estimate,
    excess_kurtosis_estimate,
    fourth_cumulant_estimate,
    moment_ratio_estimate,
)

__all__ = [
    "torch_activation",
    "mlp_ensemble_outputs",
    "mlp_ensemble_forward",
    "module_ensemble_outputs",
    "moment_ratio_estimate",
    "excess_kurtosis_estimate",
    "conditional_moments_estimate",
    "conditional_moment_ratio_estimate",
    "covariance_estimate",
    "fourth_cumulant_estimate",
    "conditional_fourth_cumulant_estimate",
]

_NAMES = ("linear", "relu", "erf", "tanh", "gelu", "silu")


def torch_activation(activation: Any) -> Callable[[torch.Tensor], torch.Tensor]:
    """A torch function for ``"linear" | "relu" | "erf" | "tanh" | "gelu" | "silu"``, ``("leaky_relu", a)`` or a callable."""
    if isinstance(activation, str):
        table: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
            "linear": lambda z: z, "relu": torch.relu, "erf": torch.erf, "tanh": torch.tanh,
            "gelu": torch.nn.functional.gelu, "silu": torch.nn.functional.silu,
        }
        if activation not in table:
            raise ValueError(f"unknown activation {activation!r}; accepted: {_NAMES}, ('leaky_relu', slope) or a callable")
        return table[activation]
    if isinstance(activation, tuple) and len(activation) == 2 and activation[0] == "leaky_relu":
        a = float(activation[1])
        if not math.isfinite(a):
            raise ValueError(f"leaky_relu slope must be finite, got {a}")
        return lambda z: torch.where(z > 0, z, a * z)
    if callable(activation):
        return activation
    raise TypeError(f"activation must be a name, ('leaky_relu', slope) or a callable, got {type(activation).__name__}")


def _per_layer(v: Any, L: int, name: str, positive: bool) -> list[float]:
    a = np.atleast_1d(np.asarray(v, dtype=float))
    if a.size == 1 and L > 1:
        a = np.full(L, float(a[0]))
    if a.shape != (L,):
        raise ValueError(f"{name} must be a float or have {L} entries (one per layer), got shape {a.shape}")
    if not np.all(np.isfinite(a)) or (np.any(a <= 0) if positive else np.any(a < 0)):
        raise ValueError(f"{name} must be finite and {'> 0' if positive else '>= 0'}, got {a.tolist()}")
    return a.tolist()


def _widths(hidden_widths: Any) -> list[int]:
    ws = [hidden_widths] if isinstance(hidden_widths, (int, np.integer)) else list(hidden_widths)
    for w in ws:
        if isinstance(w, bool) or not isinstance(w, (int, np.integer)):
            raise TypeError(f"hidden_widths must contain ints, got {w!r}")
        if w < 1:
            raise ValueError(f"hidden_widths must be >= 1, got {ws}")
    return [int(w) for w in ws]


def _chunk(ensemble_size: int, per_member: int, chunk_size: int | None, max_chunk_bytes: int) -> int:
    if isinstance(ensemble_size, bool) or not isinstance(ensemble_size, (int, np.integer)) or ensemble_size < 1:
        raise ValueError(f"ensemble_size must be an int >= 1, got {ensemble_size!r}")
    if chunk_size is not None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
        return int(min(chunk_size, ensemble_size))
    return int(max(1, min(ensemble_size, max_chunk_bytes // max(per_member, 1))))


def mlp_ensemble_outputs(
    X: Any, hidden_widths: Sequence[int] | int, activation: Any, weight_variances: Sequence[float] | float,
    bias_variances: Sequence[float] | float, *, ensemble_size: int, seed: int,
    device: str | torch.device | None = None, dtype: torch.dtype = torch.float32,
    chunk_size: int | None = None, max_chunk_bytes: int = 64 * 2 ** 20, conditional_variance: bool = False,
    conditional_covariance: bool = False, method: str = "weights",
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Outputs of ``ensemble_size`` independently initialised MLPs on the inputs ``X``.

    Parameters
    ----------
    X
        Inputs, shape ``(points, d)``, finite.
    hidden_widths
        :math:`n_1..n_{L-1}` (ints >= 1).
    activation
        See :func:`torch_activation`.
    weight_variances, bias_variances
        :math:`C_W^{(l)} > 0`, :math:`C_b^{(l)} \\ge 0` for the ``L`` layers (a float broadcasts).
    ensemble_size, seed
        Number of members; int seed of the ``torch.Generator`` (results are reproducible
        for a given ``(seed, chunk size, device, dtype)``).
    device, dtype
        Where and in which precision to compute (default: CUDA when available, float32).
    chunk_size, max_chunk_bytes
        Members per batched program; by default as many as fit in ``max_chunk_bytes``
        of weights + activations, so peak memory does not grow with ``ensemble_size``.
    conditional_variance
        Also return :math:`S = C_b^{(L)} + C_W^{(L)} |\\sigma(z^{(L-1)})|^2/n_{L-1}`, the variance of the
        output given the last hidden layer (the output is exactly :math:`N(0, S)` given it), per member and input.
    conditional_covariance
        Return instead the ``(P, P)`` matrix :math:`\\Sigma = C_b^{(L)} + C_W^{(L)} H H^\\top/n_{L-1}` per member.
    method
        ``"weights"`` (default): draw every member's weight tensors and run the batched forward pass
        (real networks; the same random stream as before this option existed).  ``"function_space"``:
        sample the exact joint law of the outputs on the ``P`` given inputs WITHOUT drawing weights:
        given the previous layer's activations :math:`H` (``P x n_{l-1}``), each of the :math:`n_l`
        preactivation columns of layer ``l`` is independently
        :math:`N(0, \\frac{C_W^{(l)}}{n_{l-1}} H H^\\top + C_b^{(l)} \\mathbf 1 \\mathbf 1^\\top)` (the law of
        :math:`W h` for Gaussian :math:`W`), drawn as :math:`R^\\top G` with :math:`R^\\top R` that
        covariance (reduced QR, exact also when it is singular) and ``G`` standard normal
        (Neal 1996, ch. 2; Lee et al. 2018, arXiv:1711.00165).  Same output distribution (not the same
        numbers), at :math:`O(P^2 n_{l-1} + P n_l)` per member and layer instead of :math:`O(P n_{l-1} n_l)`
        and :math:`P n_l` normals instead of :math:`n_{l-1} n_l`: much faster for ``P << width``.  It
        produces output samples only (no network, no weights), so it is not for gradients or training.
        ``conditional_variance`` / ``conditional_covariance`` compose with it.

    Returns
    -------
    numpy.ndarray ``(ensemble_size, points)`` (float64), and ``S`` of the same shape when asked.

    References
    ----------
    Neal, *Bayesian Learning for Neural Networks* (1996), ch. 2 (the ensemble); Roberts, Yaida & Hanin (2022), ch. 4.
    """
    Xa = np.asarray(X, dtype=float)
    if Xa.ndim != 2 or Xa.shape[0] < 1 or Xa.shape[1] < 1:
        raise ValueError(f"X must have shape (points, d), got {Xa.shape}")
    if not np.all(np.isfinite(Xa)):
        raise ValueError("X contains non-finite values")
    ws = _widths(hidden_widths)
    L = len(ws) + 1
    cw = _per_layer(weight_variances, L, "weight_variances", True)
    cb = _per_layer(bias_variances, L, "bias_variances", False)
    act = torch_activation(activation)
    if method not in ("weights", "function_space"):
        raise ValueError(f"method must be 'weights' or 'function_space', got {method!r}")
    fs = method == "function_space"
    dev = torch.device(device) if device is not None else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dims = [Xa.shape[1]] + ws + [1]
    itemsize = torch.empty((), dtype=dtype).element_size()
    if fs:  # activations, the augmented factor matrix and its QR workspace; no weights
        per_member = itemsize * (Xa.shape[0] * (6 * max(dims) + 4) + 2 * Xa.shape[0] ** 2)
    else:
        per_member = itemsize * (sum(a * b + b for a, b in zip(dims[:-1], dims[1:])) + 3 * Xa.shape[0] * max(dims))
    B = _chunk(ensemble_size, per_member, chunk_size, max_chunk_bytes)
    gen = torch.Generator(device=dev)
    gen.manual_seed(int(seed))
    Xt = torch.as_tensor(Xa, dtype=dtype, device=dev)
    # results go into arrays allocated up front (no long-lived small allocations interleaved with the
    # per-chunk temporaries, which would fragment the heap and make RSS creep with the ensemble size)
    out = np.empty((ensemble_size, Xa.shape[0]))
    P = Xa.shape[0]
    if conditional_covariance:
        conditional_variance = True
    cond = (np.empty((ensemble_size, P, P)) if conditional_covariance else np.empty((ensemble_size, P))) \
        if conditional_variance else None
    # weight buffers allocated once and refilled in place: no allocator churn across chunks
    wbuf = [torch.empty((0 if fs else B, dims[l], dims[l + 1]), device=dev, dtype=dtype) for l in range(L)]
    bbuf = [torch.empty((0 if fs else B, 1, dims[l + 1]), device=dev, dtype=dtype) if cb[l] > 0 else None
            for l in range(L)]
    with torch.no_grad():
        for start in range(0, ensemble_size, B):
            b = min(B, ensemble_size - start)
            if fs:
                zf, h = function_space_chunk(Xt, dims, cw, cb, act, b, gen)
                if conditional_variance:
                    cond[start:start + b] = _conditional(h, cw[-1], cb[-1], conditional_covariance)  # type: ignore[index]
                out[start:start + b] = zf.double().cpu().numpy()
                continue
            Ws, bs = [], []
            for l in range(L):
                W = wbuf[l][:b]
                torch.randn(W.shape, generator=gen, out=W)
                Ws.append(W.mul_(math.sqrt(cw[l] / dims[l])))
                if bbuf[l] is not None:
                    bb = bbuf[l][:b]  # type: ignore[index]
                    torch.randn(bb.shape, generator=gen, out=bb)
                    bs.append(bb.mul_(math.sqrt(cb[l])))
                else:
                    bs.append(None)
            res = mlp_ensemble_forward(Xt, Ws, bs, act, return_last_hidden=conditional_variance)
            if conditional_variance:
                res, h = res
                cond[start:start + b] = _conditional(h, cw[-1], cb[-1], conditional_covariance)  # type: ignore[index]
            out[start:start + b] = res[..., 0].double().cpu().numpy()
    if conditional_variance:
        return out, cond  # type: ignore[return-value]
    return out


def _conditional(h: torch.Tensor, cw: float, cb: float, covariance: bool) -> np.ndarray:
    """``C_b + C_W H H^T / n`` (or its diagonal) from the last hidden activations ``H``."""
    if covariance:
        sig = cb + cw * torch.matmul(h, h.transpose(-1, -2)) / h.shape[-1]
    else:
        sig = cb + cw * h.square().mean(-1)
    return sig.double().cpu().numpy()


def mlp_ensemble_forward(
    X: torch.Tensor, weights: Sequence[torch.Tensor], biases: Sequence[torch.Tensor | None],
    activation: Callable[[torch.Tensor], torch.Tensor], *, return_last_hidden: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Forward pass of a stacked ensemble: one batched matmul per layer for all members.

    ``X`` is ``(points, d)`` (shared by all members) or ``(E, points, d)``; ``weights[l]`` is
    ``(E, n_l, n_{l+1})``, ``biases[l]`` is ``(E, 1, n_{l+1})`` or ``None``.  Returns the
    last-layer preactivations ``(E, points, n_L)`` (and the last hidden activations when asked).
    """
    h = X
    last = X
    for l, (W, b) in enumerate(zip(weights, biases)):
        last = h
        z = torch.matmul(h, W)
        if b is not None:
            z = z + b
        h = activation(z) if l < len(weights) - 1 else z
    return (h, last) if return_last_hidden else h


def module_ensemble_outputs(
    factory: Callable[[], torch.nn.Module], X: Any, *, ensemble_size: int, seed: int,
    device: str | torch.device | None = None, dtype: torch.dtype = torch.float32, chunk_size: int = 256,
) -> np.ndarray:
    """Outputs of an ensemble of a user's ``torch.nn.Module`` (each member freshly initialised by ``factory()``).

    Members are built by the module's own initialiser (under ``torch.random.fork_rng`` seeded by
    ``seed`` and the chunk index), their parameters stacked with ``torch.func.stack_module_state``,
    and the forward pass of each chunk is ONE ``torch.vmap`` over ``torch.func.functional_call``.

    Returns
    -------
    numpy.ndarray ``(ensemble_size, points, *output_shape)``; a trailing output dimension of 1 is dropped.
    """
    if not callable(factory):
        raise TypeError("factory must be a zero-argument callable returning a torch.nn.Module")
    B = _chunk(ensemble_size, 1, chunk_size, 1)
    dev = torch.device(device) if device is not None else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    Xt = torch.as_tensor(np.asarray(X, dtype=float), dtype=dtype, device=dev)
    if not torch.isfinite(Xt).all():
        raise ValueError("X contains non-finite values")
    outs = []
    for c, start in enumerate(range(0, ensemble_size, B)):
        b = min(B, ensemble_size - start)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(seed) * 1_000_003 + c)
            members = [factory().to(device=dev, dtype=dtype) for _ in range(b)]
        if not all(isinstance(m, torch.nn.Module) for m in members):
            raise TypeError("factory must return torch.nn.Module instances")
        params, buffers = torch.func.stack_module_state(members)
        base = members[0]

        def call(p: dict[str, torch.Tensor], bf: dict[str, torch.Tensor]) -> torch.Tensor:
            return torch.func.functional_call(base, (p, bf), (Xt,))

        with torch.no_grad():
            outs.append(torch.vmap(call)(params, buffers).double().cpu())
    out = torch.cat(outs).numpy()
    return out[..., 0] if out.shape[-1] == 1 and out.ndim > 2 else out
