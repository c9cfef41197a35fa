r"""Batched training of MLP ensembles (full-batch GD and minibatch SGD on MSE).

All members live in stacked weight tensors (shape ``(E, n_out, n_in)``) and are trained
by one tensor program (batched matmuls; no Python loop over members); members are
processed in chunks of ``member_chunk`` to bound memory.

Architecture (matching ``theory.wide_networks``): hidden widths :math:`n_1..n_{L-1}`,
scalar output, per-layer :math:`C_W^{(l)}, C_b^{(l)}`.

* NTK parameterisation (default): :math:`z^{(1)} = \sqrt{C_W^{(1)}/d}\,W^{(1)}x + \sqrt{C_b^{(1)}}\,b^{(1)}`,
  :math:`z^{(l+1)} = \sqrt{C_W^{(l+1)}/n_l}\,W^{(l+1)}\sigma(z^{(l)}) + \sqrt{C_b^{(l+1)}}\,b^{(l+1)}`,
  trainable :math:`W, b \sim N(0, 1)` (Jacot, Gabriel & Hongler 2018, arXiv:1806.07572).
* Standard parameterisation: :math:`W^{(l)} \sim N(0, C_W^{(l)}/n_{l-1})`, :math:`b \sim N(0, C_b^{(l)})`
  trained directly with rate :math:`\eta/n_{l-1}` on :math:`W^{(l)}` and :math:`\eta` on biases
  (Sohl-Dickstein et al. 2020, arXiv:2001.07301), so both share one infinite-width NTK convention.

Loss and time convention (the same as ``theory.wide_networks.ntk_predict``): the loss is the
*sum* :math:`\mathcal L = \tfrac12\sum_{i=1}^N (f(x_i) - y_i)^2` and one GD step is
:math:`\theta \leftarrow \theta - \eta\nabla\mathcal L`; time t counts steps, so gradient flow is
:math:`\dot\theta = -\eta\nabla\mathcal L` and GD is stable for :math:`\eta < 2/\lambda_{\max}(\Theta)`.
SGD with batch size B uses :math:`\tfrac{N}{B}\cdot\tfrac12\sum_{i\in\text{batch}}(f-y)^2`, an unbiased
estimate of :math:`\mathcal L` (indices drawn with replacement, independently per member).
Reference: Lee et al., "Wide neural networks of any depth evolve as linear models under gradient
descent", NeurIPS 2019 (arXiv:1902.06720), sec. 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from numerics._gd_kernel import ACTIVATION_DERIVATIVES, forward, gd_step

__all__ = ["ACTIVATIONS", "MLPSpec", "TrainResult", "train_ensemble", "flatten_params", "ensemble_mean_cov"]

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "linear": lambda z: z,
    "relu": torch.relu,
    "erf": torch.erf,
    "tanh": torch.tanh,
    "gelu": torch.nn.functional.gelu,
    "silu": torch.nn.functional.silu,
}


_WORKING_SET_BYTES = 4 << 20


def _variances(name: str, v: float | Sequence[float], L: int, positive: bool) -> tuple[float, ...]:
    vals = (float(v),) * L if np.ndim(v) == 0 else tuple(float(x) for x in v)  # type: ignore[arg-type]
    if len(vals) != L:
        raise ValueError(f"{name} must have one entry per weight layer ({L}), got {len(vals)}")
    for x in vals:
        if not math.isfinite(x) or x < 0 or (positive and x == 0):
            raise ValueError(f"{name} must be finite and {'> 0' if positive else '>= 0'}, got {vals}")
    return vals


@dataclass(frozen=True)
class MLPSpec:
    """An MLP architecture: the numerics side of one parameter dict shared with the theory.

    Parameters
    ----------
    in_dim
        Input dimension d.
    hidden_widths
        :math:`n_1, \\dots, n_{L-1}` (each >= 1); the output is scalar.
    activation
        A name in :data:`ACTIVATIONS`.
    weight_variances, bias_variances
        :math:`C_W^{(1..L)}` (> 0) and :math:`C_b^{(1..L)}` (>= 0); a float means the same for every layer.
    parameterization
        ``"ntk"`` (default) or ``"standard"`` (see the module docstring).
    """

    in_dim: int
    hidden_widths: tuple[int, ...]
    activation: str
    weight_variances: tuple[float, ...] | float = 1.0
    bias_variances: tuple[float, ...] | float = 0.0
    parameterization: str = "ntk"
    _cw: tuple[float, ...] = field(init=False, repr=False)
    _cb: tuple[float, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.in_dim, bool) or not isinstance(self.in_dim, (int, np.integer)) or self.in_dim < 1:
            raise ValueError(f"in_dim must be an int >= 1, got {self.in_dim!r}")
        hw = tuple(self.hidden_widths)
        if not hw or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in hw):
            raise ValueError(f"hidden_widths must be a non-empty sequence of ints >= 1, got {self.hidden_widths!r}")
        object.__setattr__(self, "hidden_widths", tuple(int(n) for n in hw))
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {self.activation!r}")
        if self.parameterization not in ("ntk", "standard"):
            raise ValueError(f"parameterization must be 'ntk' or 'standard', got {self.parameterization!r}")
        L = len(hw) + 1
        object.__setattr__(self, "_cw", _variances("weight_variances", self.weight_variances, L, True))
        object.__setattr__(self, "_cb", _variances("bias_variances", self.bias_variances, L, False))

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """``(d, n_1, ..., n_{L-1}, 1)``."""
        return (int(self.in_dim), *self.hidden_widths, 1)

    @property
    def n_params(self) -> int:
        """Number of trainable parameters of one member."""
        s = self.layer_sizes
        return sum(s[i] * s[i + 1] + s[i + 1] for i in range(len(s) - 1))

    def init(self, members: int, *, seed: int, device: str | torch.device = "cpu",
             dtype: torch.dtype = torch.float32) -> list[torch.Tensor]:
        """Fresh parameters ``[W1, b1, ..., WL, bL]`` with shapes ``(E, n_out, n_in)`` and ``(E, n_out)``."""
        if isinstance(members, bool) or not isinstance(members, (int, np.integer)) or members < 1:
            raise ValueError(f"members must be an int >= 1, got {members!r}")
        g = torch.Generator(device="cpu").manual_seed(int(seed))
        s, out = self.layer_sizes, []
        for i in range(len(s) - 1):
            W = torch.randn(members, s[i + 1], s[i], generator=g, dtype=dtype)
            b = torch.randn(members, s[i + 1], generator=g, dtype=dtype)
            if self.parameterization == "standard":
                W, b = W * math.sqrt(self._cw[i] / s[i]), b * math.sqrt(self._cb[i])
            out += [W.to(device), b.to(device)]
        return out

    def apply(self, params: Sequence[torch.Tensor], X: torch.Tensor) -> torch.Tensor:
        """Outputs of every member: ``X`` of shape ``(N, d)`` or ``(E, N, d)`` -> ``(E, N)``."""
        s, act = self.layer_sizes, ACTIVATIONS[self.activation]
        h = X
        for i in range(len(s) - 1):
            W, b = params[2 * i], params[2 * i + 1]
            if self.parameterization == "ntk":
                z = math.sqrt(self._cw[i] / s[i]) * (h @ W.transpose(-1, -2)) + math.sqrt(self._cb[i]) * b.unsqueeze(-2)
            else:
                z = h @ W.transpose(-1, -2) + b.unsqueeze(-2)
            h = act(z) if i < len(s) - 2 else z
        return h.squeeze(-1)


@dataclass(frozen=True)
class TrainResult:
    r"""Outputs recorded during training.

    Attributes
    ----------
    steps
        The recorded step numbers (time t).
    outputs
        Shape ``(len(steps), E, M)``: every member's outputs on ``X_eval`` at each recorded step.
    train_loss
        Shape ``(len(steps), E)``: the full-batch loss :math:`\tfrac12\sum_i (f-y)^2` at each recorded step.
    params
        Final parameters (only when ``return_params=True`` and one member chunk was used).
    init_kernel
        Shape ``(E, M, M)`` (only with ``record_init_kernel=True``): each member's last-layer
        conditional output covariance at initialisation on ``X_eval``,
        :math:`\hat K(x, x') = \tfrac{C_W^{(L)}}{n_{L-1}}\, h^{(L-1)}(x)\cdot h^{(L-1)}(x') + C_b^{(L)}`,
        whose ensemble average is exactly :math:`\operatorname{Cov}[f_0(x), f_0(x')]` at any width.
    """

    steps: np.ndarray
    outputs: np.ndarray
    train_loss: np.ndarray
    params: list[torch.Tensor] | None = None
    init_kernel: np.ndarray | None = None


def flatten_params(params: Sequence[torch.Tensor]) -> torch.Tensor:
    """Concatenate per-member parameters into shape ``(E, P)``."""
    return torch.cat([p.reshape(p.shape[0], -1) for p in params], dim=1)


def _data(X: np.ndarray | torch.Tensor, name: str, dtype: torch.dtype, device: str | torch.device) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(X) if not isinstance(X, torch.Tensor) else X).to(device=device, dtype=dtype)
    if not torch.isfinite(t).all():
        raise ValueError(f"{name} contains non-finite values")
    return t


def train_ensemble(
    spec: MLPSpec, X_train: np.ndarray | torch.Tensor, Y_train: np.ndarray | torch.Tensor, *,
    members: int, steps: int, lr: float, seed: int, X_eval: np.ndarray | torch.Tensor | None = None,
    record_steps: Sequence[int] | None = None, batch_size: int | None = None, member_chunk: int = 4096,
    callback: Callable[[int, list[torch.Tensor]], None] | None = None, return_params: bool = False,
    residual_targets: bool = False, work_chunk: int | None = None, record_init_kernel: bool = False, device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32,
) -> TrainResult:
    r"""Train ``members`` independent MLPs by GD (``batch_size=None``) or SGD, as one batched program.

    One step: :math:`\theta \leftarrow \theta - \eta \nabla \mathcal L` with the summed MSE loss of the
    module docstring (Lee et al. 2019, eq. 2 with their :math:`1/N` absorbed into :math:`\eta`); gradients
    by hand-written batched backpropagation (``numerics._gd_kernel``), updates fused and in place.

    Parameters
    ----------
    spec
        The architecture.
    X_train, Y_train
        Shapes ``(N, d)`` and ``(N,)``.
    members, steps, lr
        Ensemble size, number of steps (>= 0) and learning rate (> 0).
    seed
        Seeds initialisation and minibatch sampling (torch CPU generators, reproducible).
    X_eval
        Points whose outputs are recorded (default ``X_train``).
    record_steps
        Steps at which outputs are recorded (default ``[steps]``); values in ``[0, steps]``.
    batch_size
        ``None`` for full-batch GD, else the SGD minibatch size.
    member_chunk
        Members initialised together (the initialisation depends on it); bounds memory.
    work_chunk
        Full-batch GD only: members of a chunk stepped together as one batched program, block after
        block (results do not depend on it).  Default: sized so one block's weights and activations
        fit in about 4 MiB of cache (``_WORKING_SET_BYTES``), which is what makes the batched
        program at least as fast per member-step as a loop over single networks.
    callback
        ``callback(step, params)`` after initialisation (step 0) and after every step, e.g. a
        :class:`numerics.trajectories.TrajectoryRecorder` via ``flatten_params``; only with one chunk.
    residual_targets
        If True, member e is trained towards :math:`f_{0,e}(x_i) + y_i` (its own initial function plus
        ``Y_train``), so its initial residuals are exactly :math:`-y_i` (pure-noise targets for the
        noise-dominated SGD regime of Antognini & Sohl-Dickstein 2018).
    record_init_kernel
        Also return each member's last-layer kernel at initialisation (``TrainResult.init_kernel``).
    """
    Xt, Yt = _data(X_train, "X_train", dtype, device), _data(Y_train, "Y_train", dtype, device)
    if Xt.ndim != 2 or Xt.shape[1] != spec.in_dim:
        raise ValueError(f"X_train must have shape (N, {spec.in_dim}), got {tuple(Xt.shape)}")
    if Yt.shape != (Xt.shape[0],):
        raise ValueError(f"Y_train must have shape ({Xt.shape[0]},), got {tuple(Yt.shape)}")
    Xe = Xt if X_eval is None else _data(X_eval, "X_eval", dtype, device)
    if Xe.ndim != 2 or Xe.shape[1] != spec.in_dim:
        raise ValueError(f"X_eval must have shape (M, {spec.in_dim}), got {tuple(Xe.shape)}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be finite and > 0, got {lr}")
    rec = sorted({int(steps)} if record_steps is None else {int(s) for s in record_steps})
    if not rec or rec[0] < 0 or rec[-1] > steps:
        raise ValueError(f"record_steps must lie in [0, steps={steps}], got {record_steps}")
    N = Xt.shape[0]
    if batch_size is not None and not (isinstance(batch_size, (int, np.integer)) and 1 <= batch_size):
        raise ValueError(f"batch_size must be None or an int >= 1, got {batch_size!r}")
    if isinstance(member_chunk, bool) or not isinstance(member_chunk, (int, np.integer)) or member_chunk < 1:
        raise ValueError(f"member_chunk must be an int >= 1, got {member_chunk!r}")
    if work_chunk is not None and (isinstance(work_chunk, bool) or not isinstance(work_chunk, (int, np.integer))
                                   or work_chunk < 1):
        raise ValueError(f"work_chunk must be None or an int >= 1, got {work_chunk!r}")
    chunks = [(a, min(members, a + member_chunk)) for a in range(0, members, int(member_chunk))]
    if callback is not None and len(chunks) > 1:
        raise ValueError("callback needs all members in one chunk (raise member_chunk)")
    sizes = spec.layer_sizes
    L = len(sizes) - 1
    ntk = spec.parameterization == "ntk"
    # forward scales (c_l, s_l); standard parameterisation: rate lr / n_{l-1} on W^(l) and lr on biases
    scales = [(math.sqrt(spec._cw[i] / sizes[i]) if ntk else 1.0, math.sqrt(spec._cb[i]) if ntk else 1.0)
              for i in range(L)]
    rates = [(lr if ntk else lr / sizes[i], lr) for i in range(L)]
    act, dact = ACTIVATIONS[spec.activation], ACTIVATION_DERIVATIVES[spec.activation]
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
            params = spec.init(b - a, seed=int(seed) * 7919 + ci, device=device, dtype=dtype)
            g = torch.Generator(device="cpu").manual_seed(int(seed) * 104729 + ci + 1)
            target = Yt.expand(b - a, N)
            if residual_targets:
                target = forward(params, Xt, scales, act)[0] + Yt
            blocks = [(u, min(b - a, u + work_chunk)) for u in range(0, b - a, work_chunk)] if blocked else [(0, b - a)]
            for u, v in blocks:
                ps = [p[u:v].contiguous() for p in params] if len(blocks) > 1 else params
                tg = target[u:v]
                if kern is not None:
                    h = forward(ps, Xe, scales, act, keep=True)[2][-1]
                    kern[a + u:a + v] = (torch.bmm(h, h.transpose(1, 2)) * (spec._cw[-1] / sizes[-2])
                                         + spec._cb[-1]).cpu().double().numpy()
                for step in range(steps + 1):
                    if step in rec:
                        j = rec.index(step)
                        outs[j, a + u:a + v] = forward(ps, Xe, scales, act)[0].cpu().double().numpy()
                        losses[j, a + u:a + v] = (0.5 * ((forward(ps, Xt, scales, act)[0] - tg) ** 2).sum(-1)
                                                  ).cpu().double().numpy()
                    if callback is not None:
                        callback(step, ps)
                    if step == steps:
                        break
                    if batch_size is None:
                        gd_step(ps, Xt, tg, 1.0, scales, rates, act, dact)
                    else:
                        idx = torch.randint(N, (v - u, int(batch_size)), generator=g).to(device)
                        gd_step(ps, Xt[idx], torch.gather(tg, 1, idx), N / batch_size, scales, rates, act, dact)
                if return_params and len(chunks) == 1:
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

    Returns
    -------
    (mean, mean_se, cov, cov_se)
    """
    f = np.asarray(outputs, dtype=float)
    if f.ndim != 2 or f.shape[0] < 3:
        raise ValueError(f"outputs must have shape (E >= 3, M), got {f.shape}")
    if not np.all(np.isfinite(f)):
        raise ValueError("outputs contain non-finite values")
    E = f.shape[0]
    c = f - f.mean(0)
    prod = c[:, :, None] * c[:, None, :]
    return f.mean(0), f.std(0, ddof=1) / np.sqrt(E), prod.sum(0) / (E - 1), prod.std(0, ddof=1) / np.sqrt(E)
