r"""The localized tempered posterior as a batched gradient oracle, and the sampler's random numbers.

The localized tempered posterior around :math:`w^*` (Lau et al., arXiv:2308.12108, eq. 7) is

.. math:: p(w) \propto \exp\!\big(-U(w)\big),\qquad
          U(w) = n\beta\,L_n(w) + \tfrac{\gamma}{2}\lvert w - w^*\rvert^2 .

:class:`LocalPosterior` holds it for ``C`` chains at once: the parameters are flattened into
a ``(C, d)`` tensor and :meth:`LocalPosterior.grads` returns every chain's loss and gradient
from one program.  The oracle is chosen once, fastest first:

1. a model with a hand-written batched pullback (``forward_stacked_vjp``) and a loss with
   ``batched_value_and_grad`` (as :class:`~numerics.singular_learning.DeepLinearNetwork` with
   :func:`~numerics.singular_learning.mse`): no autograd at all;
2. a model with ``forward_stacked(w, x)``: the batched forward, one reverse pass of the summed loss;
3. any other module: ``vmap`` over ``functional_call``, one reverse pass of the summed loss
   (chains are independent, so :math:`\partial(\sum_c L_c)/\partial w_c = \partial L_c/\partial w_c`).

A model-agnostic data path (data loaders instead of index tensors) is another oracle with the
same ``grads(w, idx)`` signature; the samplers only see this class.

Private module of :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import torch
from torch.func import functional_call, vmap

from numerics.singular_learning._torch import (
    data_pair,
    device_of,
    float_dtype,
    loss_function,
    module,
)

__all__ = ["LocalPosterior", "RandomBlocks", "flat_problem", "gradient_oracle", "build_posterior", "RNG_BLOCK"]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Grads = Callable[[torch.Tensor, "torch.Tensor | None"], tuple[torch.Tensor, torch.Tensor]]

#: Random numbers are drawn in blocks of about this many elements (noise rows and minibatch
#: index rows for several steps at once): one RNG call per block instead of one per step.
RNG_BLOCK = 1 << 21


@dataclass
class FlatProblem:
    """A model's parameters flattened to one vector, its data and its full-batch loss ``loss(w, X, Y)``."""

    names: list[str]
    shapes: list[tuple[int, ...]]
    sizes: list[int]
    w0: torch.Tensor
    buffers: dict[str, torch.Tensor]
    X: torch.Tensor
    Y: torch.Tensor
    loss: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]

    def params(self, w: torch.Tensor) -> dict[str, torch.Tensor]:
        """The parameter dict of a flat vector ``w`` (views), with the buffers."""
        out = {n: c.reshape(s) for n, c, s in zip(self.names, torch.split(w, self.sizes), self.shapes)}
        out.update(self.buffers)
        return out


def flat_problem(model: Any, loss_fn: Any, data: Any, device: Any = None, dtype: Any = None) -> FlatProblem:
    """Validate ``model``, ``loss_fn``, ``data`` and flatten the parameters (copies; nothing is modified)."""
    model = module(model)
    loss_fn = loss_function(loss_fn)
    X, Y = data_pair(data)
    names, shapes, flat = [], [], []
    for name, p in model.named_parameters():
        names.append(name)
        shapes.append(tuple(p.shape))
        flat.append(p.detach().reshape(-1))
    dt = flat[0].dtype if dtype is None else float_dtype(dtype, "dtype")
    dev = device_of(device) or flat[0].device
    w0 = torch.cat(flat).to(device=dev, dtype=dt).clone()
    buffers = {k: b.to(dev) for k, b in model.named_buffers()}
    sizes = [math.prod(s) for s in shapes]
    X = X.to(device=dev, dtype=dt)
    Y = Y.to(device=dev, dtype=dt if Y.is_floating_point() else Y.dtype)
    fp = FlatProblem(names, shapes, sizes, w0, buffers, X, Y, lambda w, xb, yb: w)

    def loss(w: torch.Tensor, xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        return loss_fn(functional_call(model, fp.params(w), (xb,)), yb)

    fp.loss = loss
    return fp


@dataclass
class LocalPosterior:
    r"""The localized tempered posterior of one model for ``chains`` chains (see the module docstring).

    ``nb`` holds :math:`n\beta` per chain; ``batch`` rows per minibatch (``full`` when every row
    is used); ``init_loss`` :math:`= L_n(w^*)` and ``grad_norm`` :math:`= |\nabla L_n(w^*)|` on the
    full batch.
    """

    w0: torch.Tensor
    nb: torch.Tensor
    gamma: float
    n: int
    chains: int
    batch: int
    init_loss: float
    grad_norm: float
    grads: Grads
    oracle: str

    @property
    def d(self) -> int:
        return self.w0.numel()

    @property
    def full(self) -> bool:
        return self.batch >= self.n

    def grad_potential(self, w: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        r""":math:`\nabla U = n\beta\nabla L + \gamma(w - w^*)` from the loss gradient ``g`` (three fused ops)."""
        return torch.sub(w, self.w0).mul_(self.gamma).addcmul_(g, self.nb[:, None])

    def potential(self, w: torch.Tensor, L: torch.Tensor) -> torch.Tensor:
        r""":math:`U = n\beta L + \tfrac\gamma2|w - w^*|^2` per chain from the loss ``L``."""
        return torch.sub(w, self.w0).square_().sum(1).mul_(0.5 * self.gamma).addcmul_(self.nb, L)


def gradient_oracle(model: torch.nn.Module, loss_fn: LossFn, fp: FlatProblem, chains: int, batch: int,
                    model_vjp: bool) -> tuple[Grads, str]:
    """The batched ``grads(w, idx) -> (dL/dw, L)`` of every chain, fastest route first."""
    X, Y = fp.X, fp.Y
    batched_loss = getattr(loss_fn, "batched", None)
    loss_v = batched_loss if callable(batched_loss) else vmap(loss_fn)
    stacked = getattr(model, "forward_stacked", None)
    if callable(stacked) and not fp.buffers:
        fwd_full = fwd_mini = stacked
    else:
        def one(wv: torch.Tensor, xb: torch.Tensor) -> torch.Tensor:
            return functional_call(model, fp.params(wv), (xb,))

        fwd_full, fwd_mini = vmap(one, in_dims=(0, None)), vmap(one, in_dims=(0, 0))
    vjp = getattr(model, "forward_stacked_vjp", None)
    lvg = getattr(loss_fn, "batched_value_and_grad", None)
    manual = model_vjp and callable(stacked) and callable(vjp) and callable(lvg) and not fp.buffers
    Yfull = Y.expand(chains, *Y.shape)
    xshape, yshape = (chains, batch, *X.shape[1:]), (chains, batch, *Y.shape[1:])

    def grads(wv: torch.Tensor, idx: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        if idx is None:
            xb, yb, fwd = X, Yfull, fwd_full
        else:  # one flat gather (index_select is much cheaper than advanced indexing)
            xb, yb, fwd = X.index_select(0, idx).view(xshape), Y.index_select(0, idx).view(yshape), fwd_mini
        if manual:
            pred, pullback = vjp(wv, xb)  # type: ignore[misc]
            Lv, gpred = lvg(pred, yb)  # type: ignore[misc]
            return pullback(gpred), Lv
        with torch.enable_grad():
            wg = wv.detach().requires_grad_(True)
            Lv = loss_v(fwd(wg, xb), yb)
            (gv,) = torch.autograd.grad(Lv.sum(), wg)
        return gv, Lv.detach()

    name = "hand-written pullback" if manual else "stacked forward + autograd" if callable(stacked) and not fp.buffers else "vmap + autograd"
    return grads, name


def build_posterior(model: Any, loss_fn: Any, data: Any, *, n_beta: np.ndarray, gamma: float, chains: int,
                    batch_size: int | None, model_vjp: bool, device: Any, dtype: Any) -> LocalPosterior:
    """The :class:`LocalPosterior` of ``model`` (arguments already validated except model, loss and data)."""
    fp = flat_problem(model, loss_fn, data, device, dtype)
    dev, dt = fp.w0.device, fp.w0.dtype
    n = fp.X.shape[0]
    B = n if batch_size is None or batch_size >= n else batch_size
    with torch.enable_grad():
        wg = fp.w0.detach().clone().requires_grad_(True)
        L0 = fp.loss(wg, fp.X, fp.Y)
        if not isinstance(L0, torch.Tensor) or L0.dim() != 0:
            raise ValueError(f"loss_fn must return a scalar tensor; got {type(L0).__name__} of shape {tuple(getattr(L0, 'shape', ()))}")
        g0 = torch.autograd.grad(L0, wg, allow_unused=True)[0] if L0.requires_grad else None
    gnorm = 0.0 if g0 is None else float(g0.norm())
    init_loss = float(L0.detach())
    if not math.isfinite(init_loss):
        raise ValueError(f"the loss at the model's parameters is not finite ({init_loss})")
    grads, name = gradient_oracle(model, loss_fn, fp, chains, B, model_vjp)
    nb = torch.as_tensor(n_beta, device=dev, dtype=dt)
    return LocalPosterior(fp.w0, nb, float(gamma), n, chains, B, init_loss, gnorm, grads, name)


class RandomBlocks:
    """Gaussian noise rows, minibatch index rows and uniforms, drawn in blocks of ``K`` steps.

    ``noise()`` returns the next ``(C, d)`` standard normal row, mapped through ``affine``
    (``(scale, shift)``: ``scale * xi + shift``, ``scale`` a float or per chain ``(C, 1)``) when one is given (plain SGLD folds its
    constant terms into the noise once per block); ``idx()`` the next ``C * B`` minibatch row
    indices (``None`` in full batch); ``uniform()`` ``C`` uniforms (MALA's accept test).
    """

    def __init__(self, post: LocalPosterior, seed: int, steps: int, affine: tuple[Any, torch.Tensor] | None = None) -> None:
        dev, dt = post.w0.device, post.w0.dtype
        self.gen = torch.Generator(device=dev).manual_seed(seed)
        self.C, self.n, self.B, self.full = post.chains, post.n, post.batch, post.full
        self.K = max(1, min(steps + 1, RNG_BLOCK // max(1, post.chains * post.d)))
        self.affine = affine
        self._noise = torch.empty(self.K, post.chains, post.d, device=dev, dtype=dt)
        self._idx = torch.empty(0, dtype=torch.long, device=dev)
        self._pos = [self.K, self.K]
        self._dev, self._dt = dev, dt

    def noise(self) -> torch.Tensor:
        if self._pos[0] == self.K:
            self._noise.normal_(generator=self.gen)
            if self.affine is not None:
                self._noise.mul_(self.affine[0]).add_(self.affine[1])
            self._pos[0] = 0
        self._pos[0] += 1
        return self._noise[self._pos[0] - 1]

    def idx(self) -> torch.Tensor | None:
        if self.full:
            return None
        if self._pos[1] == self.K:
            self._idx = torch.randint(0, self.n, (self.K, self.C * self.B), generator=self.gen, device=self._dev)
            self._pos[1] = 0
        self._pos[1] += 1
        return self._idx[self._pos[1] - 1]

    def uniform(self) -> torch.Tensor:
        return torch.rand(self.C, generator=self.gen, device=self._dev, dtype=self._dt)


def per_chain(n_beta: Any, chains: int) -> np.ndarray:
    """``n_beta`` (one value or one per chain) as a ``(chains,)`` float array (validated by the caller)."""
    return np.broadcast_to(np.asarray(n_beta, dtype=float), (chains,)).copy()


def sequence_or_scalar(value: Any) -> bool:
    """Whether ``value`` is a sequence (per-chain values) rather than one number."""
    return isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes))
