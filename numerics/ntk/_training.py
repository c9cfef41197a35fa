r"""Batched training of MLP ensembles (full-batch GD and minibatch SGD on MSE).

All members live in stacked weight tensors (shape ``(E, n_out, n_in)``) and are trained
by one tensor program (batched matmuls; no Python loop over members); members are
processed in chunks of ``member_chunk`` to bound memory.  The architecture is an
:class:`~numerics.ntk.MLPSpec` (NTK or standard parameterisation).

Loss and time convention (the same as :func:`theory.ntk.ntk_predict`): the loss is the
*sum* :math:`\mathcal L = \tfrac12\sum_{i=1}^N (f(x_i) - y_i)^2` and one GD step is
:math:`\theta \leftarrow \theta - \eta\nabla\mathcal L`; time t counts steps, so gradient flow is
:math:`\dot\theta = -\eta\nabla\mathcal L` and GD is stable for :math:`\eta < 2/\lambda_{\max}(\Theta)`.
SGD with batch size B uses :math:`\tfrac{N}{B}\cdot\tfrac12\sum_{i\in\text{batch}}(f-y)^2`, an unbiased
estimate of :math:`\mathcal L` (indices drawn with replacement, independently per member).
Reference: Lee et al., "Wide neural networks of any depth evolve as linear models under gradient
descent", NeurIPS 2019 (arXiv:1902.06720), sec. 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import torch

from numerics import validate as v
from numerics.ntk._kernel import forward, gd_step
from numerics.ntk._spec import MLPSpec, check_device, check_dtype

__all__ = ["TrainResult", "train_ensemble", "flatten_params", "ensemble_mean_cov", "as_tensor"]

_WORKING_SET_BYTES = 4 << 20


@dataclass(frozen=True)
class TrainResult:
    r"""Outputs recorded during training (returned by :func:`train_ensemble`).

    Parameters
    ----------
    steps : numpy.ndarray
        The recorded step numbers (time t), increasing.
    outputs : numpy.ndarray
        Shape ``(len(steps), E, M)``: every member's outputs on ``X_eval`` at each recorded step.
    train_loss : numpy.ndarray
        Shape ``(len(steps), E)``: the full-batch loss :math:`\tfrac12\sum_i (f-y)^2` at each recorded step.
    params : list of torch.Tensor or None, default None
        Final parameters ``[W1, b1, ..., WL, bL]`` (only with ``return_params=True``).
    init_kernel : numpy.ndarray or None, default None
        Shape ``(E, M, M)`` (only with ``record_init_kernel=True``): each member's last-layer
        conditional output covariance at initialisation on ``X_eval``,
        :math:`\hat K(x, x') = \tfrac{C_W^{(L)}}{n_{L-1}}\, h^{(L-1)}(x)\cdot h^{(L-1)}(x') + C_b^{(L)}`,
        whose ensemble average is exactly :math:`\operatorname{Cov}[f_0(x), f_0(x')]` at any width (given the
        hidden layers the output is Gaussian with this covariance; Roberts, Yaida & Hanin 2022, sec. 4.1).
    """

    steps: np.ndarray
    outputs: np.ndarray
    train_loss: np.ndarray
    params: list[torch.Tensor] | None = None
    init_kernel: np.ndarray | None = None


def flatten_params(params: Sequence[torch.Tensor]) -> torch.Tensor:
    r"""Concatenate per-member parameters ``[W1, b1, ...]`` (leading dimension E) into shape ``(E, P)``.

    The row of member e is :math:`\theta_e = (\operatorname{vec} W^{(1)}_e, b^{(1)}_e, \dots)`, the
    parameter vector whose trajectory :class:`numerics.random_walk.TrajectoryRecorder` records.

    Parameters
    ----------
    params : sequence of torch.Tensor
        Per-member parameter tensors (as from :meth:`MLPSpec.init`), all with leading dimension E.

    Returns
    -------
    torch.Tensor
        Shape ``(E, P)`` with P the number of parameters per member (a new tensor).

    Raises
    ------
    TypeError, ValueError
        ``params`` not a non-empty sequence of tensors with one common leading dimension.
    """
    if not isinstance(params, (list, tuple)) or not params or not all(isinstance(p, torch.Tensor) for p in params):
        raise TypeError(f"params must be a non-empty list of tensors; got {v.describe(params)}")
    E = params[0].shape[0] if params[0].ndim else None
    if E is None or any(p.ndim < 1 or p.shape[0] != E for p in params):
        raise ValueError("every parameter tensor must have the same leading (member) dimension")
    return torch.cat([p.reshape(E, -1) for p in params], dim=1)


def as_tensor(X: Any, name: str, *, ndim: int, width: int | None, dtype: torch.dtype,
              device: str | torch.device) -> torch.Tensor:
    """A validated copy of ``X`` (array or tensor, finite) as a tensor of ``dtype`` on ``device``.

    Parameters
    ----------
    X : array_like or torch.Tensor
        The data (copied, never modified).
    name : str
        The argument's name in error messages.
    ndim : int
        The required number of dimensions.
    width : int or None
        The required size of the last dimension (None: any).
    dtype : torch.dtype
        The tensor's dtype.
    device : str or torch.device
        The tensor's device.

    Returns
    -------
    torch.Tensor
        A new tensor holding the values of ``X``.

    Raises
    ------
    TypeError, ValueError
        ``X`` not a finite numeric array of the required shape (at least one element).
    """
    a = v.array(X, name, ndim=ndim, shape=None if width is None else (None,) * (ndim - 1) + (width,), min_size=1)
    return torch.from_numpy(a).to(device=device, dtype=dtype)


def _optional_int(value: Any, name: str, minimum: int) -> int | None:
    return None if value is None else v.integer(value, name, minimum=minimum)


def train_ensemble(
    spec: MLPSpec, X_train: np.ndarray | torch.Tensor, Y_train: np.ndarray | torch.Tensor, *,
    members: int, steps: int, lr: float, seed: int, X_eval: np.ndarray | torch.Tensor | None = None,
    record_steps: Sequence[int] | None = None, batch_size: int | None = None, member_chunk: int = 4096,
    callback: Callable[[int, list[torch.Tensor]], None] | None = None, return_params: bool = False,
    residual_targets: bool = False, work_chunk: int | None = None, record_init_kernel: bool = False,
    device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32,
) -> TrainResult:
    r"""Train ``members`` independent MLPs by GD (``batch_size=None``) or SGD, as one batched program.

    One step: :math:`\theta \leftarrow \theta - \eta \nabla \mathcal L` with the summed MSE loss of the
    module docstring (Lee et al. 2019, eq. 2 with their :math:`1/N` absorbed into :math:`\eta`); in the
    standard parameterisation the rate on :math:`W^{(l)}` is :math:`\eta/n_{l-1}`.  Gradients by
    hand-written batched backpropagation (``numerics/ntk/_kernel.py``), updates fused and in place.

    Parameters
    ----------
    spec : MLPSpec
        The architecture.
    X_train, Y_train : array_like or torch.Tensor
        Shapes ``(N, d)`` and ``(N,)``; arrays or tensors, finite (copied, never modified).
    members, steps : int
        Ensemble size (>= 1) and number of steps (>= 0).
    lr : float
        Learning rate (> 0).
    seed : int
        Seeds initialisation and minibatch sampling (torch CPU generators, reproducible): chunk c is
        initialised by ``spec.init`` with seed :math:`(7919\,\mathrm{seed} + c) \bmod 2^{63}`.
    X_eval : array_like or torch.Tensor, optional
        Points whose outputs are recorded, shape ``(M, d)`` (default ``X_train``).
    record_steps : sequence of int, optional
        Steps at which outputs are recorded (default ``[steps]``); integers in ``[0, steps]``.
    batch_size : int, optional
        ``None`` for full-batch GD, else the SGD minibatch size (>= 1).
    member_chunk : int, default 4096
        Members initialised together (the initialisation depends on it); bounds memory.
    work_chunk : int, optional
        Full-batch GD only: members of a chunk stepped together as one batched program, block after
        block (results do not depend on it).  Default: sized so one block's weights and activations
        fit in about 4 MiB of cache (``_WORKING_SET_BYTES``), which is what makes the batched
        program at least as fast per member-step as a loop over single networks.
    callback : callable, optional
        ``callback(step, params)`` after initialisation (step 0) and after every step, e.g. a
        :class:`numerics.random_walk.TrajectoryRecorder` via :func:`flatten_params`; only with one chunk.
    return_params : bool, default False
        Return the final parameters (only with one chunk).
    residual_targets : bool, default False
        If True, member e is trained towards :math:`f_{0,e}(x_i) + y_i` (its own initial function plus
        ``Y_train``), so its initial residuals are exactly :math:`-y_i` (pure-noise targets for the
        noise-dominated SGD regime of Antognini & Sohl-Dickstein 2018, arXiv:1812.04529).
    record_init_kernel : bool, default False
        Also return each member's last-layer kernel at initialisation (``TrainResult.init_kernel``).
    device : str or torch.device, default "cpu"
        Where to train.
    dtype : torch.dtype, default torch.float32
        The precision: ``torch.float32`` or ``torch.float64``.

    Returns
    -------
    TrainResult
        The recorded steps, outputs on ``X_eval`` and training losses (and, on request, the final
        parameters and the initial last-layer kernels).

    Raises
    ------
    TypeError, ValueError
        A bad argument (named in the message); ``callback`` or ``return_params`` with several chunks.
    FloatingPointError
        Training diverged (non-finite outputs).
    """
    if not isinstance(spec, MLPSpec):
        raise TypeError(f"spec must be an MLPSpec; got {v.describe(spec)}")
    dtype = check_dtype(dtype)
    device = check_device(device)
    Xt = as_tensor(X_train, "X_train", ndim=2, width=spec.in_dim, dtype=dtype, device=device)
    N = Xt.shape[0]
    Yt = as_tensor(Y_train, "Y_train", ndim=1, width=N, dtype=dtype, device=device)
    Xe = Xt if X_eval is None else as_tensor(X_eval, "X_eval", ndim=2, width=spec.in_dim, dtype=dtype, device=device)
    members = v.integer(members, "members", minimum=1)
    steps = v.integer(steps, "steps", minimum=0)
    lr = v.real(lr, "lr", minimum=0.0, open_min=True)
    seed = v.seed(seed)
    rec = sorted({steps} if record_steps is None else
                 set(v.integers(record_steps, "record_steps", minimum=0, maximum=steps)))
    batch_size = _optional_int(batch_size, "batch_size", 1)
    member_chunk = v.integer(member_chunk, "member_chunk", minimum=1)
    work_chunk = _optional_int(work_chunk, "work_chunk", 1)
    if callback is not None:
        v.function(callback, "callback")
    return_params = v.boolean(return_params, "return_params")
    residual_targets = v.boolean(residual_targets, "residual_targets")
    record_init_kernel = v.boolean(record_init_kernel, "record_init_kernel")
    chunks = [(a, min(members, a + member_chunk)) for a in range(0, members, member_chunk)]
    if callback is not None and len(chunks) > 1:
        raise ValueError("callback needs all members in one chunk (raise member_chunk)")
    if return_params and len(chunks) > 1:
        raise ValueError("return_params needs all members in one chunk (raise member_chunk)")
    sizes = spec.layer_sizes
    L = len(sizes) - 1
    scales = spec.scales()
    rates = [(lr * rw, lr * rb) for rw, rb in spec.rate_factors()]
    act, dact = spec.torch_activation.fn, spec.torch_activation.dfn
    cw, cb = spec.layer_variances
    if work_chunk is None:  # members per block: keep one block's working set cache-sized
        per_member = sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(L)) + 4 * N * sum(sizes[1:])
        work_chunk = max(1, _WORKING_SET_BYTES // (per_member * torch.finfo(dtype).bits // 8))
    # SGD draws one index tensor per step for the whole chunk, and a callback sees all members: no blocks
    blocked = batch_size is None and callback is None
    outs = np.zeros((len(rec), members, Xe.shape[0]))
    losses = np.zeros((len(rec), members))
    kern = np.zeros((members, Xe.shape[0], Xe.shape[0])) if record_init_kernel else None
    kept: list[list[torch.Tensor]] = []
    with torch.no_grad():
        for ci, (a, b) in enumerate(chunks):
            params = spec.init(b - a, seed=(seed * 7919 + ci) % 2**63, device=device, dtype=dtype)
            g = torch.Generator(device="cpu").manual_seed((seed * 104729 + ci + 1) % 2**63)
            target = Yt.expand(b - a, N)
            if residual_targets:
                target = forward(params, Xt, scales, act)[0] + Yt
            blocks = ([(lo, min(b - a, lo + work_chunk)) for lo in range(0, b - a, work_chunk)] if blocked
                      else [(0, b - a)])
            for lo, hi in blocks:
                ps = [p[lo:hi].contiguous() for p in params] if len(blocks) > 1 else params
                tg = target[lo:hi]
                if kern is not None:
                    h = forward(ps, Xe, scales, act, keep=True)[2][-1]
                    kern[a + lo:a + hi] = (torch.bmm(h, h.transpose(1, 2)) * (cw[-1] / sizes[-2])
                                         + cb[-1]).cpu().double().numpy()
                for step in range(steps + 1):
                    if step in rec:
                        j = rec.index(step)
                        outs[j, a + lo:a + hi] = forward(ps, Xe, scales, act)[0].cpu().double().numpy()
                        losses[j, a + lo:a + hi] = (0.5 * ((forward(ps, Xt, scales, act)[0] - tg) ** 2).sum(-1)
                                                  ).cpu().double().numpy()
                    if callback is not None:
                        callback(step, ps)
                    if step == steps:
                        break
                    if batch_size is None:
                        gd_step(ps, Xt, tg, 1.0, scales, rates, act, dact)
                    else:
                        idx = torch.randint(N, (hi - lo, batch_size), generator=g).to(device)
                        gd_step(ps, Xt[idx], torch.gather(tg, 1, idx), N / batch_size, scales, rates, act, dact)
                if return_params:
                    kept.append(ps)
            if not np.all(np.isfinite(outs[:, a:b])):
                raise FloatingPointError(f"training diverged (non-finite outputs) at lr={lr}; lower lr")
    keep = [torch.cat([k[i] for k in kept]) for i in range(2 * L)] if kept else None
    return TrainResult(np.asarray(rec), outs, losses, keep, kern)


def ensemble_mean_cov(outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Ensemble mean and covariance of outputs ``(E, M)`` with iid standard errors.

    :math:`\hat\mu = \bar f`, :math:`\operatorname{se}(\hat\mu_i) = s_i/\sqrt E`;
    :math:`\hat C_{ij} = \frac{1}{E-1}\sum_e (f_{ei}-\bar f_i)(f_{ej}-\bar f_j)`,
    :math:`\operatorname{se}(\hat C_{ij}) = \operatorname{sd}_e[(f_{ei}-\bar f_i)(f_{ej}-\bar f_j)]/\sqrt E`
    (the delta method for a mean of products; Anderson, *An Introduction to Multivariate
    Statistical Analysis*, 3rd ed., sec. 3.3).

    Parameters
    ----------
    outputs : array_like
        Shape ``(E, M)``: E >= 3 members' outputs at M points, finite.

    Returns
    -------
    mean, mean_se : numpy.ndarray
        Shape ``(M,)``: :math:`\hat\mu` and its standard errors.
    cov, cov_se : numpy.ndarray
        Shape ``(M, M)``: :math:`\hat C` and its standard errors.

    Raises
    ------
    TypeError, ValueError
        ``outputs`` not a finite numeric array of shape ``(E >= 3, M)``.
    """
    f = v.array(outputs, "outputs", ndim=2)
    if f.shape[0] < 3 or f.shape[1] < 1:
        raise ValueError(f"outputs must have shape (E >= 3, M >= 1); got {f.shape}")
    E = f.shape[0]
    c = f - f.mean(0)
    prod = c[:, :, None] * c[:, None, :]
    return f.mean(0), f.std(0, ddof=1) / np.sqrt(E), prod.sum(0) / (E - 1), prod.std(0, ddof=1) / np.sqrt(E)
