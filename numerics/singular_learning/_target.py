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

Models, losses and data of any form are brought to one flat problem by
:func:`~numerics.singular_learning._objective.make_problem`; recognised models and losses take the
hand-written routes of :mod:`numerics.singular_learning._fastpaths` (with the exact data
compression of linear models under a squared loss); the samplers only see this class.

Private module of :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import torch

from numerics.singular_learning._fastpaths import fast_route
from numerics.singular_learning._objective import Problem, check_scalar_loss, generic_grads, make_problem

__all__ = ["LocalPosterior", "RandomBlocks", "build_posterior", "problem_oracle", "RNG_BLOCK"]

Grads = Callable[[torch.Tensor, "torch.Tensor | None"], tuple[torch.Tensor, torch.Tensor]]

#: Random numbers are drawn in blocks of about this many elements (noise rows and minibatch
#: index rows for several steps at once): one RNG call per block instead of one per step.
RNG_BLOCK = 1 << 21


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
    problem: Any = None
    loss_offset: float = 0.0

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


def problem_oracle(prob: Problem, chains: int, batch: int, model_vjp: bool, compress: bool) -> tuple[Grads, str, Problem, float]:
    """``(grads, route name, the problem sampled, loss offset)``: a recognised route when ``model_vjp``, else the generic one."""
    if model_vjp:
        fast = fast_route(prob, chains, batch, compress)
        if fast is not None:
            grads, name, compressed, offset = fast
            return grads, name, compressed or prob, offset
    return generic_grads(prob, chains), "vmap(functional_call) + autograd", prob, 0.0


def build_posterior(model: Any, loss_fn: Any, data: Any, *, n_beta: np.ndarray, gamma: float, chains: int,
                    batch_size: int | None, model_vjp: bool, device: Any, dtype: Any, loss_form: str = "auto",
                    parameters: Any = None, compress: bool = True) -> LocalPosterior:
    """The :class:`LocalPosterior` of ``model`` (arguments already validated except model, loss, data, form, parameters).

    ``batch_size=None`` means the data's own batch size when they came as an iterable of batches,
    else the full batch.
    """
    prob = make_problem(model, loss_fn, data, loss_form=loss_form, parameters=parameters, device=device, dtype=dtype)
    n = prob.data.n
    want = prob.data.batch_hint if batch_size is None else batch_size
    B = n if want is None or want >= n else want
    check_scalar_loss(prob, B)
    grads, name, used, offset = problem_oracle(prob, chains, B, model_vjp, compress)
    dev, dt = used.w0.device, used.w0.dtype
    with torch.enable_grad():
        wg = used.w0.detach().clone().requires_grad_(True)
        L0 = used.full_loss(wg)
        g0 = torch.autograd.grad(L0, wg, allow_unused=True)[0] if L0.requires_grad else None
    gnorm = 0.0 if g0 is None else float(g0.norm())
    init_loss = float(L0.detach())  # on the sampled (possibly compressed) data; _finish adds the offset back
    if not math.isfinite(init_loss):
        raise ValueError(f"the loss at the model's parameters is not finite ({init_loss})")
    nb = torch.as_tensor(n_beta, device=dev, dtype=dt)
    if used is not prob:  # compressed: every step is a full-batch step on p rows
        B, n_rows = used.data.n, used.data.n
    else:
        n_rows = n
    return LocalPosterior(used.w0, nb, float(gamma), n_rows, chains, B, init_loss, gnorm, grads, name, used, offset)


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
