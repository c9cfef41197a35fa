r"""Batched SGLD / preconditioned SGLD / MALA on the localized tempered posterior, and the LLC.

The localized tempered posterior around a trained point :math:`w^*` is

.. math:: p(w) \propto \exp\!\big(-n\beta L_n(w) - \tfrac{\gamma}{2}|w - w^*|^2\big),

and the local learning coefficient estimator is
:math:`\hat\lambda = n\beta\,(E_p[L_n(w)] - L_n(w^*))` (Lau et al., arXiv:2308.12108, Def. 1).
All chains run as ONE tensor program: the parameters are flattened into a
``(chains, d)`` tensor and the loss is evaluated with ``torch.func.functional_call`` under
``torch.func.vmap`` (or, for models with a ``forward_stacked(w, x)`` method such as
:class:`numerics.slt_models.DeepLinearNetwork`, on explicitly stacked weights with ``bmm``);
minibatches are index tensors (no DataLoader).  When the model has a hand-written batched
pullback (``forward_stacked_vjp``) and the loss a ``batched_value_and_grad``, gradients skip
autograd entirely (``model_vjp=True``); the plain SGLD state is updated in place with two
fused ops per step, and noise and minibatch indices are drawn in blocks of many steps.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import torch
from torch.func import functional_call, vmap

from numerics.estimate import Estimate

__all__ = ["SamplerRun", "sample_local_posterior", "estimate_llc", "degradation_sweep", "hessian_max_eigenvalue", "hessian_spectrum"]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

#: Random numbers are drawn in blocks of about this many elements (noise rows and minibatch
#: index rows for several steps at once): one RNG call per block instead of one per step.
_RNG_BLOCK = 1 << 21
#: The per-step loss history is stacked into one tensor every this many steps.
_HIST_CHUNK = 4096


@dataclass
class SamplerRun:
    """Raw output of :func:`sample_local_posterior` (numpy arrays, one row per chain)."""

    loss_trace: np.ndarray  # (chains, draws) loss at the draws
    init_loss: float  # full-batch L_n(w*)
    n_beta: np.ndarray  # (chains,)
    diverged: np.ndarray  # (chains,) bool
    acceptance: np.ndarray  # (chains,) mean MALA acceptance probability (nan if not computed)
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def _prepare(model: torch.nn.Module, data: Sequence[torch.Tensor], device: Any, dtype: Any):
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError("data must be a pair (X, Y) of tensors")
    X, Y = data
    if not (isinstance(X, torch.Tensor) and isinstance(Y, torch.Tensor)):
        raise TypeError("data must be a pair (X, Y) of torch tensors")
    if X.shape[0] != Y.shape[0] or X.shape[0] < 1:
        raise ValueError(f"X and Y must have the same positive number of rows, got {X.shape[0]} and {Y.shape[0]}")
    if not (torch.isfinite(X).all() and torch.isfinite(Y).all()):
        raise ValueError("data contains non-finite values (NaN or inf)")
    names, shapes, flat = [], [], []
    for name, p in model.named_parameters():
        names.append(name)
        shapes.append(tuple(p.shape))
        flat.append(p.detach().reshape(-1))
    if not names:
        raise ValueError("model has no parameters")
    dtype = dtype or flat[0].dtype
    device = torch.device(device) if device is not None else flat[0].device
    w0 = torch.cat(flat).to(device=device, dtype=dtype)
    buffers = {k: b.to(device) for k, b in model.named_buffers()}
    sizes = [int(np.prod(s)) if s else 1 for s in shapes]
    return names, shapes, sizes, w0, buffers, X.to(device=device, dtype=dtype), Y.to(device=device, dtype=Y.dtype if not Y.is_floating_point() else dtype)


def _make_loss(model: torch.nn.Module, loss_fn: LossFn, names, shapes, sizes, buffers) -> Callable:
    def loss_flat(w: torch.Tensor, xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        params = {n: c.reshape(s) for n, c, s in zip(names, torch.split(w, sizes), shapes)}
        params.update(buffers)
        return loss_fn(functional_call(model, params, (xb,)), yb)

    return loss_flat


def hessian_max_eigenvalue(
    model: torch.nn.Module, loss_fn: LossFn, data: Sequence[torch.Tensor], *, iters: int = 30, max_rows: int = 2048, seed: int = 0,
    device: Any = None, dtype: Any = None,
) -> float:
    r"""Largest Hessian eigenvalue :math:`h_{\max}` of :math:`L_n` at the model's parameters.

    Power iteration on Hessian-vector products (double backward), on at
    most ``max_rows`` rows of the data.  Used for the predicted step-size bias
    :math:`\epsilon A_{\max}/4 / (1 - \epsilon A_{\max}/4)`, :math:`A_{\max} = n\beta h_{\max} + \gamma`.

    References
    ----------
    Golub & Van Loan, *Matrix Computations*, sec. 8.2 (power method); Pearlmutter (1994) HVPs.
    """
    names, shapes, sizes, w0, buffers, X, Y = _prepare(model, data, device, dtype)
    f = _make_loss(model, loss_fn, names, shapes, sizes, buffers)
    X, Y = X[:max_rows], Y[:max_rows]
    g = torch.Generator(device=w0.device).manual_seed(int(seed))
    v = torch.randn(w0.shape, generator=g, device=w0.device, dtype=w0.dtype)
    v = v / v.norm()
    lam = 0.0
    with torch.enable_grad():
        wg = w0.detach().requires_grad_(True)
        (gw,) = torch.autograd.grad(f(wg, X, Y), wg, create_graph=True)
        for _ in range(int(iters)):
            (hv,) = torch.autograd.grad(gw, wg, grad_outputs=v, retain_graph=True)
            lam = float(torch.dot(v, hv))
            nrm = hv.norm()
            if not torch.isfinite(nrm) or nrm == 0:
                break
            v = hv.detach() / nrm
    return abs(lam)


def hessian_spectrum(model: torch.nn.Module, loss_fn: LossFn, data: Sequence[torch.Tensor], *, max_rows: int = 4096,
                     device: Any = None, dtype: Any = None) -> np.ndarray:
    r"""All eigenvalues of the Hessian of :math:`L_n` at the model's parameters (dense; small models).

    With :func:`theory.singular_learning.sgld_quadratic_llc` it gives the exact expected
    estimate of a quadratic model; for singular models, near-zero eigenvalues make the
    quadratic picture unreliable (use it for regular models only).
    Reference: Golub & Van Loan, *Matrix Computations*, sec. 8.1 (symmetric eigenproblem).
    """
    names, shapes, sizes, w0, buffers, X, Y = _prepare(model, data, device, dtype)
    f = _make_loss(model, loss_fn, names, shapes, sizes, buffers)
    X, Y = X[:max_rows], Y[:max_rows]
    with torch.enable_grad():
        H = torch.autograd.functional.hessian(lambda w: f(w, X, Y), w0.detach())
    return np.linalg.eigvalsh(0.5 * (H + H.T).detach().cpu().numpy())


def sample_local_posterior(
    model: torch.nn.Module,
    loss_fn: LossFn,
    data: Sequence[torch.Tensor],
    *,
    n_beta: float | Sequence[float],
    gamma: float,
    step_size: float,
    chains: int,
    draws: int,
    burn_in: int,
    seed: int,
    batch_size: int | None = None,
    sampler: str = "sgld",
    rmsprop_alpha: float = 0.99,
    rmsprop_eps: float = 1e-5,
    diag_every: int | None = 10,
    model_vjp: bool = True,
    device: Any = None,
    dtype: Any = None,
) -> SamplerRun:
    r"""Run ``chains`` chains on the localized tempered posterior, all in one batched program.

    Samplers (potential :math:`U(w) = n\beta L(w) + \tfrac\gamma2|w - w^*|^2`, step :math:`\epsilon`):

    * ``"sgld"``: :math:`w \leftarrow w - \tfrac\epsilon2\nabla U_b(w) + \sqrt\epsilon\,\xi`
      with minibatch losses :math:`L_b` (Welling & Teh 2011);
    * ``"rmsprop"``: the same with the diagonal RMSProp preconditioner
      :math:`G = 1/(\sqrt{V}+\delta)`, :math:`V \leftarrow \alpha V + (1-\alpha)(\nabla U_b)^2`,
      drift :math:`\tfrac\epsilon2 G\nabla U_b` and noise :math:`\sqrt{\epsilon G}\,\xi` (Li et al., AAAI 2016),
      with :math:`G` rescaled to mean one per chain (so :math:`\epsilon` stays the mean step; at
      :math:`w^*` the gradient vanishes and an unscaled :math:`G = 1/\delta` would explode);
    * ``"mala"``: full-batch Langevin proposals with the Metropolis-Hastings correction
      (Roberts & Tweedie 1996), exact in the limit of many draws.

    For ``sgld``/``rmsprop`` the MALA acceptance probability of the step (on the same
    minibatch) is computed every ``diag_every`` steps as a discretisation diagnostic (one extra
    gradient per ``diag_every`` steps: about +30% time at the default 10 on small models;
    ``diag_every=None`` turns it off and the acceptance comes back NaN).
    A chain is *diverged* when its loss or parameters become non-finite or its excess loss
    exceeds :math:`10^3 \cdot d/(2n\beta)` (a thousand times the largest possible stationary
    excess, since :math:`\lambda \le d/2`); diverged chains are flagged, never averaged.

    ``n_beta`` may be one value or one per chain (temperature sweeps in one program).
    Draws are the losses at the states :math:`w_t`, :math:`t = b, \dots, b + T - 1`.

    Gradients: one reverse pass over all chains, by autograd, or -- when the model has
    ``forward_stacked_vjp`` and the loss ``batched_value_and_grad`` (as
    :class:`numerics.slt_models.DeepLinearNetwork` and :func:`numerics.slt_models.mse` do) and
    ``model_vjp`` is true -- by their hand-written pullbacks, with no autograd overhead.
    Both give the same chains to rounding (tested); ``model_vjp=False`` forces autograd.
    """
    if sampler not in ("sgld", "rmsprop", "mala"):
        raise ValueError(f"sampler must be 'sgld', 'rmsprop' or 'mala', got {sampler!r}")
    for nm, v, lo in (("chains", chains, 1), ("draws", draws, 1), ("burn_in", burn_in, 0), ("diag_every", 1 if diag_every is None else diag_every, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{nm} must be an int >= {lo}, got {v!r}")
    if not (math.isfinite(step_size) and step_size > 0):
        raise ValueError(f"step_size must be finite and > 0, got {step_size}")
    if not (math.isfinite(gamma) and gamma >= 0):
        raise ValueError(f"gamma must be finite and >= 0, got {gamma}")
    t0 = time.perf_counter()
    names, shapes, sizes, w0, buffers, X, Y = _prepare(model, data, device, dtype)
    dev, dt = w0.device, w0.dtype
    n, d = X.shape[0], w0.numel()
    nb = torch.as_tensor(np.broadcast_to(np.asarray(n_beta, dtype=float), (chains,)).copy(), device=dev, dtype=dt)
    if not torch.all(torch.isfinite(nb) & (nb > 0)):
        raise ValueError("n_beta must be finite and > 0")
    B = n if batch_size is None else int(batch_size)
    if not 1 <= B:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    full = B >= n
    if sampler == "mala" and not full:
        raise ValueError("sampler='mala' needs full-batch losses (batch_size=None or >= n)")
    f = _make_loss(model, loss_fn, names, shapes, sizes, buffers)
    # Batched losses: the model's forward for all chains (``forward_stacked`` on explicitly
    # stacked weights, else vmap over functional_call), then the per-chain loss -- the loss's
    # own ``batched`` form if it has one (e.g. ``slt_models.mse``: no vmap overhead, which
    # is about half of a small model's step), else vmap(loss_fn).  Per-chain gradients come
    # from one reverse pass of the summed loss (chains are independent, so
    # d(sum)/dw_c = dL_c/dw_c): ~10x less overhead than vmap(grad).  When the model has a
    # hand-written pullback (``forward_stacked_vjp``) and the loss a ``batched_value_and_grad``,
    # the gradient is computed without autograd at all (``model_vjp=True``, the default).
    batched_loss = getattr(loss_fn, "batched", None)
    loss_v = batched_loss if callable(batched_loss) else vmap(loss_fn)
    stacked = getattr(model, "forward_stacked", None)
    if callable(stacked) and not buffers:
        fwd_full = fwd_mini = stacked
    else:
        def one(wv: torch.Tensor, xb: torch.Tensor) -> torch.Tensor:
            params = {n: c.reshape(s) for n, c, s in zip(names, torch.split(wv, sizes), shapes)}
            params.update(buffers)
            return functional_call(model, params, (xb,))

        fwd_full, fwd_mini = vmap(one, in_dims=(0, None)), vmap(one, in_dims=(0, 0))
    vjp = getattr(model, "forward_stacked_vjp", None)
    lvg = getattr(loss_fn, "batched_value_and_grad", None)
    manual = bool(model_vjp) and callable(stacked) and callable(vjp) and callable(lvg) and not buffers
    with torch.no_grad():
        init_loss = float(f(w0, X, Y))
    gen = torch.Generator(device=dev).manual_seed(int(seed))
    Yfull = Y.expand(chains, *Y.shape)

    xshape, yshape = (chains, B, *X.shape[1:]), (chains, B, *Y.shape[1:])

    def grads(wv: torch.Tensor, idx: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        if idx is None:
            xb, yb, fwd = X, Yfull, fwd_full
        else:  # one flat gather (index_select is much cheaper than advanced indexing)
            xb, yb, fwd = X.index_select(0, idx).view(xshape), Y.index_select(0, idx).view(yshape), fwd_mini
        if manual:
            pred, pullback = vjp(wv, xb)
            Lv, gpred = lvg(pred, yb)
            return pullback(gpred), Lv
        with torch.enable_grad():
            wg = wv.detach().requires_grad_(True)
            Lv = loss_v(fwd(wg, xb), yb)
            (gv,) = torch.autograd.grad(Lv.sum(), wg)
        return gv, Lv.detach()

    steps = burn_in + draws
    # Random numbers are drawn in blocks of K steps (one RNG call per block, not per step).
    K = max(1, min(steps + 1, _RNG_BLOCK // max(1, chains * d)))
    w = w0.expand(chains, d).clone()  # the state; plain SGLD updates it in place
    V = torch.zeros_like(w) if sampler == "rmsprop" else None
    G = None  # diagonal preconditioner (rmsprop only); None means the identity
    bad = torch.zeros(chains, dtype=torch.bool, device=dev)
    thresh = 1e3 * d / (2 * nb)
    hist: list[torch.Tensor] = []  # L(w_t) for every step: the trace and the divergence test
    chunks: list[torch.Tensor] = []  # hist stacked every _HIST_CHUNK steps (no per-step tensor objects kept)
    nbc = nb[:, None]
    acc_sum = torch.zeros(chains, device=dev, dtype=dt)
    acc_n = 0
    sq, half = math.sqrt(step_size), 0.5 * step_size
    # Plain SGLD, rearranged: w <- (1 - eps gamma/2) w + [eps gamma/2 w* + sqrt(eps) xi] - (eps n beta/2) g,
    # with the bracket precomputed per block: two fused in-place ops per step.
    plain = sampler == "sgld"
    shrink, c0, nbh = 1.0 - half * gamma, (half * gamma) * w0, nbc * (-half)
    noise_blk = torch.empty(K, chains, d, device=dev, dtype=dt)
    idx_blk = torch.empty(0)
    pos = [K, K]  # next unused row of the noise and index blocks

    def next_noise() -> torch.Tensor:  # plain: sqrt(eps) xi + eps gamma/2 w*; else the raw normal draw
        if pos[0] == K:
            noise_blk.normal_(generator=gen)
            if plain:
                noise_blk.mul_(sq).add_(c0)
            pos[0] = 0
        pos[0] += 1
        return noise_blk[pos[0] - 1]

    def next_idx() -> torch.Tensor | None:
        nonlocal idx_blk
        if full:
            return None
        if pos[1] == K:
            idx_blk = torch.randint(0, n, (K, chains * B), generator=gen, device=dev)
            pos[1] = 0
        pos[1] += 1
        return idx_blk[pos[1] - 1]

    def grad_potential(wv: torch.Tensor, gv: torch.Tensor) -> torch.Tensor:
        # nabla U = n beta nabla L + gamma (w - w*), three fused ops
        return torch.sub(wv, w0).mul_(gamma).addcmul_(gv, nbc)

    def potential(wv: torch.Tensor, Lv: torch.Tensor) -> torch.Tensor:
        return torch.sub(wv, w0).square_().sum(1).mul_(0.5 * gamma).addcmul_(nb, Lv)

    idx = next_idx()
    g, L = grads(w, idx)
    for t in range(steps):
        hist.append(L)
        if len(hist) == _HIST_CHUNK:
            chunks.append(torch.stack(hist))
            hist = []
        xi = next_noise()
        want_acc = sampler == "mala" or (diag_every is not None and t % diag_every == 0)
        if plain and not want_acc:  # the hot loop: two fused in-place ops and the next gradient
            torch.add(xi, w, alpha=shrink, out=w).addcmul_(g, nbh)
            idx = next_idx()
            g, L = grads(w, idx)
            continue
        gU = grad_potential(w, g)
        if sampler == "rmsprop":
            V = torch.addcmul(V.mul_(rmsprop_alpha), gU, gU, value=1 - rmsprop_alpha) if t else gU * gU
            G = 1.0 / (V.sqrt() + rmsprop_eps)
            G = G / G.mean(dim=1, keepdim=True)  # mean 1 per chain: step_size stays the mean step
        if plain:
            wp = torch.add(xi, w, alpha=shrink).addcmul_(g, nbh)
        elif G is None:
            wp = torch.add(w, gU, alpha=-half).add_(xi, alpha=sq)
        else:
            wp = torch.addcmul(w, G, gU, value=-half).addcmul_(G.sqrt(), xi, value=sq)
        if want_acc:
            # log MH ratio of the Langevin proposal: -(U(w') - U(w)) - (|w - w' + eps/2 G dU(w')|^2_{G^-1}
            #                                        - |w' - w + eps/2 G dU(w)|^2_{G^-1}) / (2 eps)
            gp, Lp = grads(wp, idx)
            U, Up, gUp = potential(w, L), potential(wp, Lp), grad_potential(wp, gp)
            if G is None:
                fwd = torch.sub(wp, w).add_(gU, alpha=half).square_().sum(1)
                bwd = torch.sub(w, wp).add_(gUp, alpha=half).square_().sum(1)
            else:
                fwd = (torch.sub(wp, w).addcmul_(G, gU, value=half).square_() / G).sum(1)
                bwd = (torch.sub(w, wp).addcmul_(G, gUp, value=half).square_() / G).sum(1)
            log_a = (U - Up).sub_(bwd.sub_(fwd), alpha=1.0 / (2 * step_size))
            a = torch.exp(log_a.clamp_(max=0.0)).nan_to_num_(nan=0.0)
            acc_sum += a
            acc_n += 1
            bad |= ~torch.isfinite(wp).all(1)  # parameters the loss does not see can still blow up
        if sampler == "mala":
            accept = torch.rand(chains, generator=gen, device=dev, dtype=dt) < a
            w = torch.where(accept[:, None], wp, w)
            g = torch.where(accept[:, None], gp, g)
            L = torch.where(accept, Lp, L)
        elif full and want_acc:  # the same (full) batch: the proposal's gradient is the next one
            w.copy_(wp)
            g, L = gp, Lp
        else:
            w.copy_(wp)
            idx = next_idx()
            g, L = grads(w, idx)
    hist.append(L)
    Lh = torch.cat([*chunks, torch.stack(hist)])  # (steps + 1, chains): L(w_0), ..., L(w_T)
    trace = Lh[burn_in:steps].T
    dev_max = (Lh - init_loss).abs().nan_to_num(nan=math.inf).amax(0)
    bad |= (dev_max > thresh) | ~torch.isfinite(w).all(1)
    diverged = bad.cpu().numpy()
    acc = (acc_sum / max(acc_n, 1)).cpu().numpy() if acc_n else np.full(chains, np.nan)
    return SamplerRun(trace.cpu().numpy(), init_loss, nb.cpu().numpy(), diverged, acc, time.perf_counter() - t0)


def _summarise(run: SamplerRun, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-chain LLC for the selected chains."""
    tr = run.loss_trace[rows]
    return run.n_beta[rows] * (tr.mean(axis=1) - run.init_loss), tr.mean(axis=1) - run.init_loss


def estimate_llc(
    model: torch.nn.Module,
    loss_fn: LossFn,
    data: Sequence[torch.Tensor],
    *,
    n_beta: float | None = None,
    gamma: float = 100.0,
    step_size: float = 1e-4,
    chains: int = 8,
    draws: int = 400,
    burn_in: int = 200,
    seed: int = 0,
    batch_size: int | None = None,
    sampler: str = "sgld",
    bias_diagnostic: bool = True,
    diag_every: int | None = 10,
    model_vjp: bool = True,
    device: Any = None,
    dtype: Any = None,
) -> Estimate:
    r"""Local learning coefficient :math:`\hat\lambda = n\beta(E_p[L_n] - L_n(w^*))` of a trained model.

    ``w*`` is the model's current parameters (the model is not modified); ``data = (X, Y)``;
    ``loss_fn(model(X), Y)`` must be the mean loss :math:`L_n`.  ``n_beta=None`` uses the WBIC
    value :math:`n/\ln n` (Watanabe 2013).  The value is the mean of the per-chain estimates
    over the chains that did not diverge and ``stderr`` their standard deviation over
    :math:`\sqrt{C}` (chains are independent).

    Diagnostics: ``llc_per_chain``, ``loss_trace``, ``init_loss``, ``diverged_chains``,
    ``acceptance_rate`` (MALA acceptance probability per chain), ``hessian_max``,
    ``step_size_bias`` (relative, from the exact quadratic law
    :math:`\tfrac{\epsilon A/4}{1-\epsilon A/4}`, :math:`A = n\beta h_{\max} + \gamma`), ``warnings``.

    Warns (``RuntimeWarning``) about diverged chains, a significantly negative LLC
    (``w*`` is not a local minimum) and a step size beyond the quadratic stability limit;
    raises ``FloatingPointError`` when fewer than two chains survive.

    References
    ----------
    Lau, Furman, Wang, Murfet, Wei, arXiv:2308.12108; Watanabe, JMLR 14 (2013) 867.
    """
    if chains < 2:
        raise ValueError(f"chains must be >= 2 for an across-chain standard error, got {chains}")
    n = int(data[0].shape[0]) if isinstance(data, (tuple, list)) and len(data) == 2 else 0
    if n_beta is None:
        if n < 2:
            raise ValueError("WBIC n_beta = n / ln n needs n >= 2 rows of data")
        n_beta = n / math.log(n)
    run = sample_local_posterior(model, loss_fn, data, n_beta=n_beta, gamma=gamma, step_size=step_size, chains=chains,
                                 draws=draws, burn_in=burn_in, seed=seed, batch_size=batch_size, sampler=sampler,
                                 diag_every=diag_every, model_vjp=model_vjp, device=device, dtype=dtype)
    return _to_estimate(run, model, loss_fn, data, float(n_beta), gamma, step_size, seed, bias_diagnostic, device, dtype, sampler)


def _to_estimate(run: SamplerRun, model, loss_fn, data, n_beta, gamma, step_size, seed, bias_diagnostic, device, dtype, sampler) -> Estimate:
    msgs: list[str] = []
    ok = np.flatnonzero(~run.diverged)
    if run.diverged.any():
        msgs.append(f"{int(run.diverged.sum())} of {run.diverged.size} chains diverged (indices {np.flatnonzero(run.diverged).tolist()}); excluded")
    if ok.size < 2:
        warnings.warn(msgs[0], RuntimeWarning, stacklevel=3)
        raise FloatingPointError(f"SGLD diverged in chains {np.flatnonzero(run.diverged).tolist()}: step_size={step_size} too large")
    llc, _ = _summarise(run, ok)
    value, se = float(llc.mean()), float(llc.std(ddof=1) / np.sqrt(ok.size))
    diag: dict[str, Any] = {
        "llc_per_chain": llc, "loss_trace": run.loss_trace, "init_loss": run.init_loss, "n_beta": n_beta,
        "diverged_chains": np.flatnonzero(run.diverged).tolist(), "acceptance_rate": run.acceptance, "sampler": sampler,
    }
    if value + 3 * se < 0:
        msgs.append(f"negative LLC {value:.3g} +- {se:.2g}: w* is not a local minimum of the loss")
    if bias_diagnostic:
        h = hessian_max_eigenvalue(model, loss_fn, data, device=device, dtype=dtype, seed=seed)
        x = step_size * (n_beta * h + gamma) / 4
        diag["hessian_max"] = h
        diag["step_size_bias"] = math.inf if x >= 1 else x / (1 - x)
        if x >= 1 and sampler == "sgld":
            msgs.append(f"step_size*(n_beta*h_max+gamma) = {4 * x:.3g} >= 4: SGLD is unstable on the stiffest direction")
    diag["warnings"] = msgs
    for m in msgs:
        warnings.warn(m, RuntimeWarning, stacklevel=3)
    return Estimate(value, se, int(ok.size), seed, run.seconds, "across-chains", diag)


def degradation_sweep(
    model: torch.nn.Module,
    loss_fn: LossFn,
    data: Sequence[torch.Tensor],
    n_betas: Sequence[float],
    *,
    gamma: float = 100.0,
    step_size: float = 1e-4,
    chains: int = 8,
    draws: int = 400,
    burn_in: int = 200,
    seed: int = 0,
    batch_size: int | None = None,
    sampler: str = "sgld",
    device: Any = None,
    dtype: Any = None,
) -> Estimate:
    r"""Expected excess loss :math:`E_{n\beta}[L_n] - L_n(w^*)` against temperature, in ONE program.

    ``chains`` chains per temperature; all ``len(n_betas) * chains`` run batched.
    ``value``/``stderr``: the excess loss per temperature (mean and across-chain error);
    diagnostics ``x = 1/(n beta)``, ``llc`` and ``llc_stderr`` per temperature.  The
    degradation law of singular learning theory is :math:`E[L] - L^* \approx \lambda/(n\beta)`.

    References
    ----------
    Watanabe (2009) ch. 6; Lau et al., arXiv:2308.12108.
    """
    nbs = np.asarray(n_betas, dtype=float)
    if nbs.ndim != 1 or nbs.size < 1 or np.any(~np.isfinite(nbs)) or np.any(nbs <= 0):
        raise ValueError("n_betas must be a non-empty 1-d sequence of positive numbers")
    if chains < 2:
        raise ValueError(f"chains must be >= 2, got {chains}")
    per = np.repeat(nbs, chains)
    run = sample_local_posterior(model, loss_fn, data, n_beta=per, gamma=gamma, step_size=step_size, chains=per.size,
                                 draws=draws, burn_in=burn_in, seed=seed, batch_size=batch_size, sampler=sampler,
                                 device=device, dtype=dtype)
    if run.diverged.any():
        warnings.warn(f"diverged chains excluded: {np.flatnonzero(run.diverged).tolist()}", RuntimeWarning, stacklevel=2)
    ex, se, llc, llc_se = (np.empty(nbs.size) for _ in range(4))
    for k in range(nbs.size):
        rows = np.arange(k * chains, (k + 1) * chains)
        rows = rows[~run.diverged[rows]]
        if rows.size < 2:
            raise FloatingPointError(f"fewer than two chains survived at n_beta={nbs[k]}")
        l, e = _summarise(run, rows)
        ex[k], se[k] = e.mean(), e.std(ddof=1) / np.sqrt(rows.size)
        llc[k], llc_se[k] = l.mean(), l.std(ddof=1) / np.sqrt(rows.size)
    diag = {"x": 1.0 / nbs, "n_beta": nbs, "llc": llc, "llc_stderr": llc_se, "diverged_chains": np.flatnonzero(run.diverged).tolist(),
            "acceptance_rate": run.acceptance}
    return Estimate(ex, se, chains, seed, run.seconds, "across-chains", diag)
