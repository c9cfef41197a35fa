"""Ensembles of randomly initialised networks as one batched tensor program.

An MLP ensemble of E members is a stack of weight tensors ``W^{(l)}`` of shape
``(E, n_{l-1}, n_l)``; the forward pass for all members is one batched matmul per
layer (``torch.matmul`` broadcasting the inputs), processed in chunks of members so
that peak memory is bounded however large E is.  Conventions (the same as the
theory): ``z^{(1)} = W^{(1)} x + b^{(1)}``, ``W^{(l)}_{ij} ~ N(0, C_W^{(l)}/n_{l-1})``
with ``n_0 = d``, ``b^{(l)} ~ N(0, C_b^{(l)})``, scalar output (Neal 1996, ch. 2).
Activations come from the one numerics table, :mod:`numerics.activations`.

``mlp_ensemble_outputs(..., method="function_space")`` samples the same outputs by a
different, exact algorithm that never draws the weights: layer by layer, the
preactivations on the given inputs are Gaussian given the previous layer (see
:mod:`numerics.wide_networks._function_space`).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np
import torch

from numerics import validate as v
from numerics.activations import torch_activation
from numerics.wide_networks._function_space import function_space_chunk
from numerics.wide_networks._laws import param_laws, sample_law

__all__ = ["mlp_ensemble_outputs", "mlp_ensemble_forward", "module_ensemble_outputs"]


def _per_layer(value: Any, L: int, name: str, positive: bool) -> list[float]:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return [v.real(value, name, minimum=0.0, open_min=positive)] * L
    return list(v.reals(value, name, minimum=0.0, open_min=positive, length=L))


def _widths(hidden_widths: Any) -> list[int]:
    if isinstance(hidden_widths, (int, np.integer)) and not isinstance(hidden_widths, (bool, np.bool_)):
        return [v.integer(hidden_widths, "hidden_widths", minimum=1)]
    return list(v.integers(hidden_widths, "hidden_widths", minimum=1, min_length=0))


def _device(device: Any) -> torch.device:
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a string or a torch.device; got {v.describe(device)}")
    return torch.device(device)


def _dtype(dtype: Any) -> torch.dtype:
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch.dtype; got {v.describe(dtype)}")
    return dtype


def _chunk(ensemble_size: int, per_member: int, chunk_size: int | None, max_chunk_bytes: int) -> int:
    if chunk_size is not None:
        return int(min(v.integer(chunk_size, "chunk_size", minimum=1), ensemble_size))
    return int(max(1, min(ensemble_size, max_chunk_bytes // max(per_member, 1))))


def mlp_ensemble_outputs(
    X: Any, hidden_widths: Sequence[int] | int, activation: Any, weight_variances: Sequence[float] | float,
    bias_variances: Sequence[float] | float, *, ensemble_size: int, seed: int,
    device: str | torch.device | None = None, dtype: torch.dtype = torch.float32,
    chunk_size: int | None = None, max_chunk_bytes: int = 64 * 2 ** 20, conditional_variance: bool = False,
    conditional_covariance: bool = False, method: str = "weights", weight_laws: Any = "gaussian",
    bias_laws: Any = "gaussian",
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Outputs of ``ensemble_size`` independently initialised MLPs on the inputs ``X``.

    Parameters
    ----------
    X
        Inputs, shape ``(points, d)``, finite.
    hidden_widths
        :math:`n_1..n_{L-1}` (ints >= 1).
    activation
        A spec of :func:`numerics.activations.torch_activation` (a name, ``("leaky_relu", a)``, a
        torch callable).
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
        ``conditional_variance`` / ``conditional_covariance`` compose with it.  Gaussian laws only.
    weight_laws, bias_laws
        Standardised laws of the weights and biases (:func:`numerics.wide_networks.param_law` specs:
        ``"gaussian"`` (default), ``"uniform"``, ``"rademacher"``, ``("student_t", nu)``,
        ``("measured", samples)``), one for every layer or a list of ``L``: layer ``l``'s weights are
        :math:`\\sqrt{C_W^{(l)}/n_{l-1}}` times draws of its law, its biases :math:`\\sqrt{C_b^{(l)}}` times.
        With non-Gaussian last-layer laws the output is not Gaussian given the last hidden layer (its
        conditional fourth cumulant: :func:`numerics.wide_networks.mlp_ensemble_sample`).

    Returns
    -------
    numpy.ndarray ``(ensemble_size, points)`` (float64), and ``S`` of the same shape when asked.

    Raises
    ------
    TypeError
        A wrong type (a float width or size, a string, a bool, a non-float dtype).
    ValueError
        Bad shapes, non-finite inputs, widths < 1, :math:`C_W \\le 0`, :math:`C_b < 0`, an unknown method.

    References
    ----------
    Neal, *Bayesian Learning for Neural Networks* (1996), ch. 2 (the ensemble); Roberts, Yaida & Hanin (2022), ch. 4.
    """
    Xa = v.array(X, "X", ndim=2, min_size=1)
    ws = _widths(hidden_widths)
    L = len(ws) + 1
    cw = _per_layer(weight_variances, L, "weight_variances", True)
    cb = _per_layer(bias_variances, L, "bias_variances", False)
    act = torch_activation(activation).fn
    ensemble_size = v.integer(ensemble_size, "ensemble_size", minimum=1)
    seed = v.seed(seed)
    max_chunk_bytes = v.integer(max_chunk_bytes, "max_chunk_bytes", minimum=1)
    conditional_variance = v.boolean(conditional_variance, "conditional_variance")
    conditional_covariance = v.boolean(conditional_covariance, "conditional_covariance")
    fs = v.choice(method, "method", ("weights", "function_space")) == "function_space"
    wl, bl = param_laws(weight_laws, L, "weight_laws"), param_laws(bias_laws, L, "bias_laws")
    if fs and not all(x.is_gaussian for x in wl + bl):
        raise ValueError("method='function_space' samples the Gaussian conditionals: it needs Gaussian weight and bias "
                         "laws; use method='weights' for other laws")
    dtype = _dtype(dtype)
    dev = _device(device)
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
                sample_law(wl[l], W, gen)
                Ws.append(W.mul_(math.sqrt(cw[l] / dims[l])))
                if bbuf[l] is not None:
                    bb = bbuf[l][:b]  # type: ignore[index]
                    sample_law(bl[l], bb, gen)
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
    r"""Forward pass of a stacked ensemble: one batched matmul per layer for all members.

    :math:`z^{(l+1)} = \\sigma(z^{(l)}) W^{(l+1)} + b^{(l+1)}` for every member at once (Neal 1996, ch. 2).

    Parameters
    ----------
    X
        ``(points, d)`` (shared by all members) or ``(E, points, d)`` tensor.
    weights
        ``weights[l]`` of shape ``(E, n_l, n_{l+1})``.
    biases
        ``biases[l]`` of shape ``(E, 1, n_{l+1})`` or ``None``.
    activation
        Elementwise torch callable.
    return_last_hidden
        Also return the last hidden activations.

    Returns
    -------
    torch.Tensor
        The last-layer preactivations ``(E, points, n_L)`` (and the last hidden activations when asked).

    Raises
    ------
    TypeError, ValueError
        Non-tensor inputs, no layers, lengths that differ.
    """
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch.Tensor; got {v.describe(X)}")
    if isinstance(weights, (str, bytes)) or not all(isinstance(W, torch.Tensor) for W in weights) or not weights:
        raise TypeError("weights must be a non-empty sequence of torch.Tensor")
    if len(biases) != len(weights) or not all(b is None or isinstance(b, torch.Tensor) for b in biases):
        raise ValueError("biases must have one entry (a torch.Tensor or None) per weight")
    v.function(activation, "activation")
    return_last_hidden = v.boolean(return_last_hidden, "return_last_hidden")
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

    Parameters
    ----------
    factory
        Zero-argument callable returning a freshly initialised ``torch.nn.Module``.
    X
        Inputs ``(points, d)``, finite.
    ensemble_size, seed
        Number of members (>= 1) and an int seed.
    device, dtype, chunk_size
        Where, in which precision, and how many members per ``vmap`` call.

    Returns
    -------
    numpy.ndarray ``(ensemble_size, points, *output_shape)``; a trailing output dimension of 1 is dropped.

    Raises
    ------
    TypeError, ValueError
        A wrong type or value of any argument; a factory that returns no ``torch.nn.Module``.

    References
    ----------
    Neal, *Bayesian Learning for Neural Networks* (1996), ch. 2 (the ensemble at initialisation).
    """
    v.function(factory, "factory")
    Xa = v.array(X, "X", ndim=2, min_size=1)
    ensemble_size = v.integer(ensemble_size, "ensemble_size", minimum=1)
    seed = v.seed(seed)
    B = min(v.integer(chunk_size, "chunk_size", minimum=1), ensemble_size)
    dev = _device(device)
    Xt = torch.as_tensor(Xa, dtype=_dtype(dtype), device=dev)
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
