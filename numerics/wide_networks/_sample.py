r"""One batched pass over an ensemble of MLPs with any parameter laws: outputs, conditional moments, NTKs.

:func:`mlp_ensemble_sample` draws every member's weights and biases from the given laws
(:mod:`numerics.wide_networks._laws`), chunk by chunk (peak memory bounded by ``max_chunk_bytes``, not by
the ensemble size), and returns per member

* the output on every input (the first output unit);
* the conditional covariance :math:`\Sigma_{ab} = C_b + \frac{C_W}{n}\sum_j h_j(a)h_j(b)` and the conditional
  fourth cumulant :math:`Q_a = k_w\frac{C_W^2}{n^2}\sum_j h_j(a)^4 + k_bC_b^2` of the output given the last
  hidden layer :math:`h` (cumulants of the independent terms :math:`W_jh_j` and :math:`b` add), so that
  :math:`E z_az_b = E\Sigma_{ab}` and :math:`E z_a^4 = E[3\Sigma_{aa}^2 + Q_a]` exactly (Rao-Blackwell;
  :math:`k_w, k_b` the last layer's law's excess kurtoses);
* optionally the empirical NTK at initialisation in the standard parameterisation with learning rates
  :math:`\eta/n_{l-1}` on :math:`W^{(l)}` and :math:`\eta` on the biases (:func:`numerics.ntk.empirical_ntk`).

References: Neal (1996), ch. 2; Casella & Berger (2002), sec. 7.3.3 (Rao-Blackwell); Jacot, Gabriel &
Hongler (2018).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch

from numerics import validate as v
from numerics.activations import torch_activation
from numerics.ntk import MLPSpec, empirical_ntk
from numerics.wide_networks._ensemble import (
    _chunk,
    _device,
    _dtype,
    _per_layer,
    _widths,
    mlp_ensemble_forward,
)
from numerics.wide_networks._laws import param_laws, sample_law

__all__ = ["EnsembleSample", "mlp_ensemble_sample"]


@dataclass(frozen=True)
class EnsembleSample:
    """Per-member results of :func:`mlp_ensemble_sample` (float64 arrays).

    Parameters
    ----------
    outputs
        ``(E, P)`` outputs.
    conditional_covariance
        ``(E, P, P)`` :math:`\\Sigma` given the last hidden layer.
    conditional_fourth_cumulant
        ``(E, P)`` :math:`Q_a` given the last hidden layer.
    ntk
        ``(E, P, P)`` empirical NTKs, or ``None``.
    """

    outputs: np.ndarray
    conditional_covariance: np.ndarray
    conditional_fourth_cumulant: np.ndarray
    ntk: np.ndarray | None


def mlp_ensemble_sample(
    X: Any, hidden_widths: Sequence[int] | int, activation: Any, weight_variances: Sequence[float] | float,
    bias_variances: Sequence[float] | float, *, ensemble_size: int, seed: int, weight_laws: Any = "gaussian",
    bias_laws: Any = "gaussian", ntk: bool = False, device: str | torch.device | None = None,
    dtype: torch.dtype = torch.float64, chunk_size: int | None = None, max_chunk_bytes: int = 32 * 2 ** 20,
) -> EnsembleSample:
    """Sample an ensemble of MLPs with the given parameter laws in one batched program (module docstring).

    Parameters
    ----------
    X
        Inputs ``(P, d)``, finite.
    hidden_widths
        :math:`n_1..n_{L-1}` (ints >= 1).
    activation
        A spec of :func:`numerics.activations.torch_activation`.
    weight_variances, bias_variances
        :math:`C_W^{(l)} > 0`, :math:`C_b^{(l)} \\ge 0` (a float broadcasts to the ``L`` layers).
    ensemble_size, seed
        Members (>= 2) and the seed of the ``torch.Generator``.
    weight_laws, bias_laws
        :func:`numerics.wide_networks.param_law` specs, one for every layer or a list of ``L``.
    ntk
        Also compute every member's empirical NTK.
    device, dtype, chunk_size, max_chunk_bytes
        Where and in which precision; members per chunk (default: as many as fit in ``max_chunk_bytes``).

    Returns
    -------
    EnsembleSample

    Raises
    ------
    TypeError, ValueError
        A wrong type or value of any argument.

    References
    ----------
    Neal (1996), ch. 2; Jacot, Gabriel & Hongler, NeurIPS 2018.
    """
    Xa = v.array(X, "X", ndim=2, min_size=1)
    ws = _widths(hidden_widths)
    if not ws:
        raise ValueError("hidden_widths must name at least one hidden layer")
    L = len(ws) + 1
    cw = _per_layer(weight_variances, L, "weight_variances", True)
    cb = _per_layer(bias_variances, L, "bias_variances", False)
    act = torch_activation(activation)
    E = v.integer(ensemble_size, "ensemble_size", minimum=2)
    seed = v.seed(seed)
    wl, bl = param_laws(weight_laws, L, "weight_laws"), param_laws(bias_laws, L, "bias_laws")
    ntk = v.boolean(ntk, "ntk")
    dtype, dev = _dtype(dtype), _device(device)
    max_chunk_bytes = v.integer(max_chunk_bytes, "max_chunk_bytes", minimum=1)
    P = Xa.shape[0]
    dims = [Xa.shape[1]] + ws + [1]
    itemsize = torch.empty((), dtype=dtype).element_size()
    per = itemsize * (sum(a * b + b for a, b in zip(dims[:-1], dims[1:])) * (3 if ntk else 1) + 4 * P * max(dims))
    B = _chunk(E, per, chunk_size, max_chunk_bytes)
    gen = torch.Generator(device=dev)
    gen.manual_seed(int(seed))
    Xt = torch.as_tensor(Xa, dtype=dtype, device=dev)
    out, sig, quart = np.empty((E, P)), np.empty((E, P, P)), np.empty((E, P))
    th = np.empty((E, P, P)) if ntk else None
    spec = MLPSpec(dims[0], tuple(ws), activation, tuple(cw), tuple(cb), parameterization="standard") if ntk else None
    n = dims[-2]
    kw, kb = wl[-1].kurtosis, bl[-1].kurtosis
    with torch.no_grad():
        for start in range(0, E, B):
            b = min(B, E - start)
            Ws, bs = [], []
            for l in range(L):
                W = sample_law(wl[l], torch.empty((b, dims[l], dims[l + 1]), dtype=dtype, device=dev), gen)
                Ws.append(W.mul_(math.sqrt(cw[l] / dims[l])))
                if cb[l] > 0:
                    bb = sample_law(bl[l], torch.empty((b, 1, dims[l + 1]), dtype=dtype, device=dev), gen)
                    bs.append(bb.mul_(math.sqrt(cb[l])))
                else:
                    bs.append(None)
            z, h = mlp_ensemble_forward(Xt, Ws, bs, act.fn, return_last_hidden=True)
            sl = slice(start, start + b)
            out[sl] = z[..., 0].double().cpu().numpy()
            sig[sl] = (cb[-1] + cw[-1] * torch.matmul(h, h.transpose(-1, -2)) / n).double().cpu().numpy()
            quart[sl] = (kw * cw[-1] ** 2 / n ** 2 * h.pow(4).sum(-1) + kb * cb[-1] ** 2).double().cpu().numpy()
            if ntk:
                params: list[torch.Tensor] = []
                for W, bb in zip(Ws, bs):
                    params += [W.transpose(1, 2), bb[:, 0, :] if bb is not None
                               else torch.zeros((b, W.shape[2]), dtype=dtype, device=dev)]
                th[sl] = empirical_ntk(spec, params, Xt).double().cpu().numpy()  # type: ignore[index, arg-type]
    return EnsembleSample(out, sig, quart, th)
