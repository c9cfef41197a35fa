"""Ensembles of randomly initialised networks as one batched tensor program, and their output statistics.

An MLP ensemble of E members is a stack of weight tensors ``W^{(l)}`` of shape
``(E, n_{l-1}, n_l)``; the forward pass for all members is one batched matmul per
layer (``torch.matmul`` broadcasting the inputs), processed in chunks of members so
that peak memory is bounded however large E is.  Conventions (the same as the
theory): ``z^{(1)} = W^{(1)} x + b^{(1)}``, ``W^{(l)}_{ij} ~ N(0, C_W^{(l)}/n_{l-1})``
with ``n_0 = d``, ``b^{(l)} ~ N(0, C_b^{(l)})``, scalar output.

Statistics come with computed standard errors: iid means (analytic) and the delta
method for ratios of means (Casella & Berger, *Statistical Inference*, sec. 5.5.4).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np
import torch

from numerics.estimate import Estimate

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
    conditional_covariance: bool = False,
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
    dev = torch.device(device) if device is not None else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dims = [Xa.shape[1]] + ws + [1]
    itemsize = torch.empty((), dtype=dtype).element_size()
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
    wbuf = [torch.empty((B, dims[l], dims[l + 1]), device=dev, dtype=dtype) for l in range(L)]
    bbuf = [torch.empty((B, 1, dims[l + 1]), device=dev, dtype=dtype) if cb[l] > 0 else None for l in range(L)]
    with torch.no_grad():
        for start in range(0, ensemble_size, B):
            b = min(B, ensemble_size - start)
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
                if conditional_covariance:
                    sig = cb[-1] + cw[-1] * torch.matmul(h, h.transpose(-1, -2)) / h.shape[-1]
                else:
                    sig = cb[-1] + cw[-1] * h.square().mean(-1)
                cond[start:start + b] = sig.double().cpu().numpy()  # type: ignore[index]
            out[start:start + b] = res[..., 0].double().cpu().numpy()
    if conditional_variance:
        return out, cond  # type: ignore[return-value]
    return out


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


def _ratio_of_means(a: np.ndarray, b: np.ndarray, p: float) -> tuple[float, float]:
    """mean(a)/mean(b)^p and its delta-method standard error."""
    ma, mb = a.mean(), b.mean()
    cov = np.cov(np.stack([a, b])) / a.size
    g = np.array([1 / mb ** p, -p * ma / mb ** (p + 1)])
    return float(ma / mb ** p), float(math.sqrt(max(g @ cov @ g, 0.0)))


def _samples1d(samples: Any) -> np.ndarray:
    s = np.asarray(samples, dtype=float).ravel()
    if s.size < 2 or not np.all(np.isfinite(s)):
        raise ValueError("samples must hold >= 2 finite values")
    return s


def moment_ratio_estimate(samples: Any, k: int, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """:math:`\\overline{z^k} / (\\overline{z^2})^{k/2}` (moments about 0) with a delta-method standard error."""
    s = _samples1d(samples)
    if k < 2:
        raise ValueError(f"k must be >= 2, got {k}")
    v, se = _ratio_of_means(s ** k, s ** 2, k / 2)
    return Estimate(v, se, s.size, seed=seed, seconds=seconds, method="delta")


def excess_kurtosis_estimate(samples: Any, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Excess kurtosis about 0, :math:`\\overline{z^4}/(\\overline{z^2})^2 - 3`, with a delta-method standard error."""
    e = moment_ratio_estimate(samples, 4, seed=seed, seconds=seconds)
    return Estimate(e.value - 3.0, e.stderr, e.samples, seed=seed, seconds=seconds, method="delta")


def conditional_moments_estimate(S: Any, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Output variance and excess kurtosis from conditional variances ``S`` (Rao-Blackwellised).

    If :math:`z \\mid S \\sim N(0, S)` then :math:`E z^2 = E S` and
    :math:`E z^4/(E z^2)^2 - 3 = 3\\,\\mathrm{Var}(S)/(E S)^2`; estimating these from ``S`` removes the
    Gaussian noise of the last layer (Rao-Blackwell; Casella & Berger sec. 7.3.3).  Returns
    ``value = [variance, excess_kurtosis]`` with delta-method standard errors.
    """
    s = _samples1d(S)
    var, se_var = float(s.mean()), float(s.std(ddof=1) / math.sqrt(s.size))
    r, se_r = _ratio_of_means(s * s, s, 2.0)
    return Estimate(np.array([var, 3 * (r - 1)]), np.array([se_var, 3 * se_r]), s.size, seed=seed,
                    seconds=seconds, method="delta (conditional Gaussian)")


def conditional_moment_ratio_estimate(S: Any, k: int, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Rao-Blackwellised :math:`E z^k/(E z^2)^{k/2}` for :math:`z \\mid S \\sim N(0, S)`, even ``k``.

    Equals :math:`(k-1)!!\\,\\overline{S^{k/2}}/\\overline{S}^{k/2}` (Gaussian moments
    :math:`E[g^k] = (k-1)!!`); delta-method standard error (Casella & Berger sec. 5.5.4).
    """
    s = _samples1d(S)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2 or k % 2:
        raise ValueError(f"k must be an even int >= 2, got {k!r}")
    m = k // 2
    df = float(np.prod(np.arange(k - 1, 0, -2)))
    v, se = _ratio_of_means(s ** m, s, float(m))
    return Estimate(df * v, df * se, s.size, seed=seed, seconds=seconds, method="delta (conditional Gaussian)")


def covariance_estimate(outputs: Any, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Ensemble covariance :math:`\\overline{z(x_a) z(x_b)}` (about 0) with elementwise iid standard errors.

    ``outputs`` is ``(members, points)``; the ensemble mean is 0 by the symmetry :math:`W \\to -W` of the
    initialisation, so the raw second moments are unbiased for the covariance.
    """
    Z = np.asarray(outputs, dtype=float)
    if Z.ndim != 2 or Z.shape[0] < 2 or not np.all(np.isfinite(Z)):
        raise ValueError(f"outputs must be a finite (members >= 2, points) array, got shape {Z.shape}")
    prod = Z[:, :, None] * Z[:, None, :]
    return Estimate(prod.mean(0), prod.std(0, ddof=1) / math.sqrt(Z.shape[0]), Z.shape[0], seed=seed,
                    seconds=seconds, method="analytic")


def fourth_cumulant_estimate(outputs: Any, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Joint fourth cumulants :math:`\\kappa_{abcd} = m_{abcd} - m_{ab}m_{cd} - m_{ac}m_{bd} - m_{ad}m_{bc}` (about 0).

    ``outputs`` is ``(members, points)``; the value has shape ``(P, P, P, P)``.  Standard errors by the
    delta method: the influence function of member :math:`s` is
    :math:`z_az_bz_cz_d - m_{cd}z_az_b - m_{ab}z_cz_d - m_{bd}z_az_c - m_{ac}z_bz_d - m_{bc}z_az_d - m_{ad}z_bz_c`
    (van der Vaart, *Asymptotic Statistics*, ch. 20), whose standard deviation over :math:`\\sqrt{E}` is the error.
    """
    Z = np.asarray(outputs, dtype=float)
    if Z.ndim != 2 or Z.shape[0] < 2 or not np.all(np.isfinite(Z)):
        raise ValueError(f"outputs must be a finite (members >= 2, points) array, got shape {Z.shape}")
    P = Z.shape[1]
    m2 = Z.T @ Z / Z.shape[0]
    val = np.empty((P,) * 4)
    se = np.empty((P,) * 4)
    for a in range(P):
        for b in range(P):
            for c in range(P):
                for d in range(P):
                    za, zb, zc, zd = Z[:, a], Z[:, b], Z[:, c], Z[:, d]
                    phi = (za * zb * zc * zd - m2[c, d] * za * zb - m2[a, b] * zc * zd - m2[b, d] * za * zc
                           - m2[a, c] * zb * zd - m2[b, c] * za * zd - m2[a, d] * zb * zc)
                    val[a, b, c, d] = np.mean(za * zb * zc * zd) - m2[a, b] * m2[c, d] - m2[a, c] * m2[b, d] - m2[a, d] * m2[b, c]
                    se[a, b, c, d] = phi.std(ddof=1) / math.sqrt(Z.shape[0])
    return Estimate(val, se, Z.shape[0], seed=seed, seconds=seconds, method="delta")


def conditional_fourth_cumulant_estimate(Sigma: Any, *, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Rao-Blackwellised joint fourth cumulants of :math:`z \\mid \\Sigma \\sim N(0, \\Sigma)`.

    By Isserlis' theorem :math:`E[z_az_bz_cz_d] = E[\\Sigma_{ab}\\Sigma_{cd} + \\Sigma_{ac}\\Sigma_{bd} + \\Sigma_{ad}\\Sigma_{bc}]`,
    so :math:`\\kappa_{abcd} = \\mathrm{Cov}(\\Sigma_{ab},\\Sigma_{cd}) + \\mathrm{Cov}(\\Sigma_{ac},\\Sigma_{bd}) + \\mathrm{Cov}(\\Sigma_{ad},\\Sigma_{bc})`.
    ``Sigma`` is ``(members, P, P)``; delta-method standard errors from the influence function
    :math:`\\sum (\\Sigma_{ab}-\\bar\\Sigma_{ab})(\\Sigma_{cd}-\\bar\\Sigma_{cd})` over the three pairings.
    """
    S = np.asarray(Sigma, dtype=float)
    if S.ndim != 3 or S.shape[1] != S.shape[2] or S.shape[0] < 2 or not np.all(np.isfinite(S)):
        raise ValueError(f"Sigma must be a finite (members >= 2, P, P) array, got shape {S.shape}")
    P, N = S.shape[1], S.shape[0]
    D = S - S.mean(0)
    val = np.empty((P,) * 4)
    se = np.empty((P,) * 4)
    for a in range(P):
        for b in range(P):
            for c in range(P):
                for d in range(P):
                    phi = D[:, a, b] * D[:, c, d] + D[:, a, c] * D[:, b, d] + D[:, a, d] * D[:, b, c]
                    val[a, b, c, d] = phi.mean()
                    se[a, b, c, d] = phi.std(ddof=1) / math.sqrt(N)
    return Estimate(val, se, N, seed=seed, seconds=seconds, method="delta (conditional Gaussian)")
