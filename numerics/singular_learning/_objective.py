r"""Any model with any loss as a function of one flat parameter vector, and its batched gradient.

The empirical loss is :math:`L_n(w) = \ell(\text{batch}; w)` for a loss in one of two forms:

* ``"outputs"`` -- ``loss(outputs, targets)``: a batch ``(x_1, ..., x_k, y)`` is scored as
  ``loss(model(x_1, ..., x_k), y)`` (``torch.nn.MSELoss``, ``torch.nn.CrossEntropyLoss``,
  :func:`~numerics.singular_learning.mse`);
* ``"model"`` -- ``loss(model, batch)``: the function calls the model itself (several inputs,
  keyword inputs, token sequences, auxiliary terms).

``loss_form="auto"`` takes ``"model"`` when the loss's first parameter is named ``model`` (or
``net``, ``network``, ``module``) or annotated as a ``torch.nn.Module``, and ``"outputs"`` otherwise.
Either way the loss must return the *mean* over the batch's rows as a 0-d tensor.

The sampled parameters :math:`w` are the model's trainable parameters (``requires_grad``), or
the subset named by ``parameters``; the rest stay at their values.  :class:`Problem` maps a
flat vector to them and evaluates the loss through ``torch.func.functional_call`` on a wrapper
module, so the same code runs under ``vmap`` for every chain at once (Horace He et al., *functorch*,
2021; the ``torch.func`` documentation).

Private module of :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any, Callable

import torch
from torch.func import functional_call, vmap

from numerics import validate as v
from numerics.singular_learning._batches import Fields, as_fields
from numerics.singular_learning._torch import device_of, float_dtype

__all__ = ["LOSS_FORMS", "Problem", "make_problem", "generic_grads"]

LOSS_FORMS = ("auto", "outputs", "model")
_MODEL_NAMES = ("model", "net", "network", "module")
#: Rows per chunk when the full-batch loss is evaluated (a weighted mean of chunk means).
FULL_CHUNK = 8192


def resolve_form(loss: Any, form: str) -> str:
    """``"outputs"`` or ``"model"`` for ``loss`` (see the module docstring)."""
    if form != "auto":
        return form
    if isinstance(loss, torch.nn.Module):
        return "outputs"
    try:
        params = [p for p in inspect.signature(loss).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return "outputs"
    if params and (params[0].name in _MODEL_NAMES or params[0].annotation in (torch.nn.Module, "torch.nn.Module", "nn.Module")):
        return "model"
    return "outputs"


class _Objective(torch.nn.Module):
    """``forward(batch)`` = the loss of ``model`` on ``batch`` (parameters ``model.<name>``)."""

    def __init__(self, model: torch.nn.Module, loss: Callable[..., Any], form: str) -> None:
        super().__init__()
        self.model = model
        self.__dict__["loss"] = loss  # not a submodule: only the model's parameters are swapped
        self.form = form

    def forward(self, batch: Any) -> torch.Tensor:
        if self.form == "model":
            return self.loss(self.model, batch)
        return self.loss(self.model(*batch[:-1]), batch[-1])


@dataclass
class Problem:
    """A model, its loss and data, with the sampled parameters flattened to ``w0`` ``(d,)``.

    ``names``/``shapes``/``sizes`` describe the sampled parameters (in ``named_parameters``
    order); ``fixed`` holds the other parameters and the buffers; ``data`` the fields on the
    sampling device; ``subset`` whether only some trainable parameters are sampled.
    """

    model: torch.nn.Module
    loss_fn: Callable[..., Any]
    form: str
    objective: _Objective
    names: list[str]
    shapes: list[tuple[int, ...]]
    sizes: list[int]
    w0: torch.Tensor
    fixed: dict[str, torch.Tensor]
    data: Fields
    subset: bool
    has_buffers: bool

    @property
    def d(self) -> int:
        return self.w0.numel()

    def params(self, w: torch.Tensor) -> dict[str, torch.Tensor]:
        """The objective's parameter dict for a flat vector ``w`` (views) with the fixed tensors."""
        out = {"model." + n: c.reshape(s) for n, c, s in zip(self.names, torch.split(w, self.sizes), self.shapes)}
        out.update(self.fixed)
        return out

    def loss(self, w: torch.Tensor, batch: Any) -> torch.Tensor:
        """:math:`\\ell(\\text{batch}; w)` for one flat vector ``w``."""
        return functional_call(self.objective, self.params(w), (batch,))

    def full_loss(self, w: torch.Tensor) -> torch.Tensor:
        """:math:`L_n(w)` on every row, in chunks of :data:`FULL_CHUNK` rows (a row-weighted mean of chunk means)."""
        n = self.data.n
        if n <= FULL_CHUNK:
            return self.loss(w, self.data.full())
        total = w.new_zeros(())
        for s in range(0, n, FULL_CHUNK):
            idx = torch.arange(s, min(n, s + FULL_CHUNK), device=w.device)
            total = total + self.loss(w, self.data.take(idx)) * (idx.numel() / n)
        return total


def _select(model: torch.nn.Module, parameters: Any) -> list[str]:
    """Names of the sampled parameters: the trainable ones, or those matching ``parameters``."""
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    if parameters is None:
        if not trainable:
            raise ValueError(f"model has no trainable parameters (none requires grad; {type(model).__name__})")
        return trainable
    if isinstance(parameters, str):
        parameters = [parameters]
    if not isinstance(parameters, (list, tuple)) or not parameters or not all(isinstance(p, str) for p in parameters):
        raise TypeError(f"parameters must be None, a parameter name or a non-empty list of names; got {v.describe(parameters)}")
    every = [n for n, _ in model.named_parameters()]
    chosen = []
    for want in parameters:
        hits = [n for n in every if n == want or n.startswith(want + ".")]
        if not hits:
            raise ValueError(f"parameters: {want!r} names no parameter of the model (names or module prefixes of {every[:12]}"
                             f"{' ...' if len(every) > 12 else ''})")
        chosen += [h for h in hits if h not in chosen]
    return [n for n in every if n in chosen]


def make_problem(model: Any, loss_fn: Any, data: Any, *, loss_form: str = "auto", parameters: Any = None,
                 device: Any = None, dtype: Any = None) -> Problem:
    """Validate and flatten (copies; the model is not modified).  See the module docstring."""
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {v.describe(model)}")
    if next(model.parameters(), None) is None:
        raise ValueError(f"model has no parameters ({type(model).__name__})")
    v.function(loss_fn, "loss_fn")
    form = resolve_form(loss_fn, v.choice(loss_form, "loss_form", LOSS_FORMS))
    names = _select(model, parameters)
    fields = as_fields(data)
    if form == "outputs" and (fields.kind != "tuple" or len(fields.fields) < 2):
        raise ValueError("a loss of the form loss(outputs, targets) needs batches (inputs..., targets) -- a tuple of at least "
                         f"two tensors; the data has {fields.kind} batches. For other data pass a loss(model, batch) "
                         "(loss_form='model')")
    named = dict(model.named_parameters())
    first = named[names[0]]
    dt = first.dtype if dtype is None else float_dtype(dtype, "dtype")
    if not dt.is_floating_point:
        raise ValueError(f"the sampled parameters must be floating point; {names[0]!r} is {dt}")
    dev = device_of(device) or first.device
    w0 = torch.cat([named[n].detach().reshape(-1) for n in names]).to(device=dev, dtype=dt).clone()
    fixed = {"model." + n: p.detach().to(device=dev, dtype=dt if p.is_floating_point() else p.dtype)
             for n, p in named.items() if n not in names}
    buffers = {"model." + k: b.to(dev) for k, b in model.named_buffers()}
    fixed.update(buffers)
    shapes = [tuple(named[n].shape) for n in names]
    trainable = sum(1 for p in model.parameters() if p.requires_grad)
    return Problem(model, loss_fn, form, _Objective(model, loss_fn, form), names, shapes, [math.prod(s) for s in shapes],
                   w0, fixed, fields.to(dev, dt), len(names) < len(named) or len(names) < trainable, bool(buffers))


def check_scalar_loss(prob: Problem, rows: int) -> None:
    """Evaluate the loss on the first ``rows`` rows at :math:`w^*`; a clear error if it is not one finite-able 0-d tensor."""
    idx = torch.arange(min(rows, prob.data.n), device=prob.w0.device)
    try:
        out = prob.loss(prob.w0, prob.data.take(idx))
    except Exception as exc:  # noqa: BLE001 - re-raised with where it happened
        raise type(exc)(f"loss_fn raised on a batch of {idx.numel()} rows at the model's parameters "
                        f"({prob.form} form): {exc}") from exc
    if not isinstance(out, torch.Tensor) or out.dim() != 0:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(f"loss_fn must return a scalar (0-d tensor, the mean over the batch) per batch; got {shape} "
                         "(use reduction='mean')")


def generic_grads(prob: Problem, chains: int) -> Callable[[torch.Tensor, torch.Tensor | None], tuple[torch.Tensor, torch.Tensor]]:
    """``grads(w, idx) -> (dL/dw (C, d), L (C,))`` by ``vmap`` over chains and one reverse pass of the summed loss.

    ``idx`` holds ``C * B`` row indices (chain ``c`` gets rows ``c*B .. (c+1)*B - 1``), or ``None`` for
    the full batch.  Chains are independent, so :math:`\\partial(\\sum_c L_c)/\\partial w_c = \\partial L_c/\\partial w_c`.
    """
    def one(wv: torch.Tensor, batch: Any) -> torch.Tensor:
        return prob.loss(wv, batch)

    f_full, f_mini = vmap(one, in_dims=(0, None)), vmap(one, in_dims=(0, 0))
    full = prob.data.full()

    def grads(w: torch.Tensor, idx: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        batch, f = (full, f_full) if idx is None else (prob.data.take(idx, chains), f_mini)
        with torch.enable_grad():
            wg = w.detach().requires_grad_(True)
            L = f(wg, batch)
            (g,) = torch.autograd.grad(L.sum(), wg, allow_unused=True)
        return (torch.zeros_like(w) if g is None else g), L.detach()

    return grads

