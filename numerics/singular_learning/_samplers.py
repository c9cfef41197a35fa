r"""Batched Langevin samplers on the localized tempered posterior: SGLD, RMSProp-SGLD and MALA.

All three move ``C`` chains as one tensor program on the potential
:math:`U(w) = n\beta L(w) + \tfrac\gamma2|w - w^*|^2` of
:class:`~numerics.singular_learning._target.LocalPosterior`, with step :math:`\epsilon`:

* :func:`_sgld` -- :math:`w \leftarrow w - \tfrac\epsilon2\nabla U_b(w) + \sqrt\epsilon\,\xi`
  with minibatch losses :math:`L_b` (Welling & Teh, ICML 2011);
* :func:`_rmsprop` -- the same with the diagonal RMSProp preconditioner (Li, Chen, Carlson &
  Carin, AAAI 2016);
* :func:`_mala` -- full-batch Langevin proposals with the Metropolis-Hastings correction
  (Roberts & Tweedie, Bernoulli 2 (1996) 341), exact in the limit of many draws.

The shared machinery: :class:`_Chains` (the state), :class:`_Recorder` (the per-step loss
history, stacked every ``HIST_CHUNK`` steps, and acceptance sums), :func:`_mh_accept` (the
Metropolis-Hastings acceptance probability of a Langevin proposal) and
:class:`~numerics.singular_learning._target.RandomBlocks` (random numbers drawn in blocks).

Private module; :func:`sample_local_posterior` and :class:`SamplerRun` are re-exported by
:mod:`numerics.singular_learning`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import torch

from numerics import validate as v
from numerics.singular_learning._target import (
    LocalPosterior,
    RandomBlocks,
    build_posterior,
    per_chain,
    sequence_or_scalar,
)
from numerics.singular_learning._state import _axpy_, _Chains, _Recorder, _Step
from numerics.singular_learning._torch import optional_int

__all__ = ["SamplerRun", "sample_local_posterior", "SAMPLERS"]

SAMPLERS = ("sgld", "rmsprop", "mala")


@dataclass
class SamplerRun:
    """Raw output of :func:`sample_local_posterior` (numpy arrays, one row per chain).

    Parameters
    ----------
    loss_trace : numpy.ndarray
        ``(chains, draws)`` float64 loss at the draws (the minibatch loss for minibatch SGLD).
    init_loss : float
        Full-batch :math:`L_n(w^*)`.
    n_beta : numpy.ndarray
        ``(chains,)`` :math:`n\\beta` per chain.
    diverged : numpy.ndarray
        ``(chains,)`` bool: loss or parameters non-finite, or the excess loss above
        :math:`10^3 d/(2n\\beta)` (a thousand times the largest stationary excess, :math:`\\lambda \\le d/2`).
    descended : numpy.ndarray, optional
        ``(chains,)`` bool: the mean excess loss over the draws below :math:`-10^3 d/(2n\\beta)`: the
        chain fell far below :math:`L_n(w^*)`, so :math:`w^*` is not a local minimum.
    moved : numpy.ndarray, optional
        ``(chains,)`` bool: the parameters left :math:`w^*` (a MALA chain that never accepted did not).
    acceptance : numpy.ndarray
        ``(chains,)`` mean Metropolis-Hastings acceptance probability (NaN if not computed).
    seconds : float, default 0.0
        Wall time, in seconds.
    extra : dict, optional
        ``grad_norm`` (:math:`|\\nabla L_n(w^*)|`), ``oracle`` (the gradient route), ``sampler``,
        ``loss_offset``, ``batch_size``, ``rows``, ``d``, ``problem``; with ``track_distance``
        ``distance_trace`` and ``distance_draws``; with ``snapshot_every`` ``samples``.
    """

    loss_trace: np.ndarray
    init_loss: float
    n_beta: np.ndarray
    diverged: np.ndarray
    acceptance: np.ndarray
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    descended: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    moved: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def _mh_accept(post: LocalPosterior, st: _Chains, wp: torch.Tensor, gU: torch.Tensor, step: _Step,
               G: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""Metropolis-Hastings acceptance probability of the Langevin proposal ``wp`` from ``st.w``.

    For :math:`q(w'|w) = N(w - \tfrac\epsilon2 G\nabla U(w),\ \epsilon G)`:
    :math:`\log a = U(w) - U(w') - (\lVert w - w' + \tfrac\epsilon2 G\nabla U(w')\rVert^2_{G^{-1}}
    - \lVert w' - w + \tfrac\epsilon2 G\nabla U(w)\rVert^2_{G^{-1}})/(2\epsilon)`, on the current
    minibatch (Roberts & Tweedie 1996).  Returns ``(a, grad L(w'), L(w'))``; a non-finite
    proposal has ``a = 0``.
    """
    gp, Lp = post.grads(wp, st.idx)
    U, Up, gUp = post.potential(st.w, st.L), post.potential(wp, Lp), post.grad_potential(wp, gp)
    half = step.half
    if G is None:
        fwd = _axpy_(torch.sub(wp, st.w), half, gU).square_().sum(1)
        bwd = _axpy_(torch.sub(st.w, wp), half, gUp).square_().sum(1)
    elif isinstance(half, float):
        fwd = (torch.sub(wp, st.w).addcmul_(G, gU, value=half).square_() / G).sum(1)
        bwd = (torch.sub(st.w, wp).addcmul_(G, gUp, value=half).square_() / G).sum(1)
    else:
        fwd = (torch.sub(wp, st.w).addcmul_(G * half, gU).square_() / G).sum(1)
        bwd = (torch.sub(st.w, wp).addcmul_(G * half, gUp).square_() / G).sum(1)
    d = bwd.sub_(fwd)
    log_a = (U - Up).sub_(d, alpha=step.inv2) if isinstance(step.inv2, float) else (U - Up).sub_(d.mul_(step.inv2))
    return torch.exp(log_a.clamp_(max=0.0)).nan_to_num_(nan=0.0), gp, Lp


def _diagnosed_move(post: LocalPosterior, st: _Chains, rec: _Recorder, rng: RandomBlocks, wp: torch.Tensor,
                    gU: torch.Tensor, step: _Step, G: torch.Tensor | None) -> None:
    """Move to ``wp`` (always: SGLD has no accept step) and record its acceptance probability as a diagnostic."""
    a, gp, Lp = _mh_accept(post, st, wp, gU, step, G)
    rec.accept(a)
    rec.bad |= ~torch.isfinite(wp).all(1)  # parameters the loss does not see can still blow up
    st.w.copy_(wp)
    if post.full:  # the same (full) batch: the proposal's gradient is the next one
        st.g, st.L = gp, Lp
    else:
        st.idx = rng.idx()
        st.g, st.L = post.grads(st.w, st.idx)


def _sgld(post: LocalPosterior, st: _Chains, rec: _Recorder, rng: RandomBlocks, steps: int, step: _Step,
          diag_every: int | None) -> None:
    r"""Plain SGLD, rearranged as :math:`w \leftarrow (1 - \tfrac{\epsilon\gamma}2)w + [\tfrac{\epsilon\gamma}2 w^* + \sqrt\epsilon\xi] - \tfrac{\epsilon n\beta}2 g`.

    The bracket is folded into the noise once per block (``rng`` was built with that affine
    map), so a step is two fused in-place ops and the next gradient.
    """
    shrink, nbh = 1.0 - step.half * post.gamma, post.nb[:, None] * (-step.half)
    scalar = isinstance(shrink, float)
    for t in range(steps):
        rec.loss(st)
        xi = rng.noise()
        if diag_every is None or t % diag_every:  # the hot loop
            if scalar:
                torch.add(xi, st.w, alpha=shrink, out=st.w).addcmul_(st.g, nbh)
            else:
                torch.addcmul(xi, st.w, shrink, out=st.w).addcmul_(st.g, nbh)
            st.idx = rng.idx()
            st.g, st.L = post.grads(st.w, st.idx)
            continue
        wp = (torch.add(xi, st.w, alpha=shrink) if scalar else torch.addcmul(xi, st.w, shrink)).addcmul_(st.g, nbh)
        _diagnosed_move(post, st, rec, rng, wp, post.grad_potential(st.w, st.g), step, None)


def _rmsprop(post: LocalPosterior, st: _Chains, rec: _Recorder, rng: RandomBlocks, steps: int, step: _Step,
             diag_every: int | None, alpha: float, delta: float) -> None:
    r"""RMSProp-preconditioned SGLD: drift :math:`\tfrac\epsilon2 G\nabla U_b`, noise :math:`\sqrt{\epsilon G}\,\xi`.

    :math:`V \leftarrow \alpha V + (1-\alpha)(\nabla U_b)^2`, :math:`G = 1/(\sqrt V + \delta)` rescaled
    to mean one per chain (so :math:`\epsilon` stays the mean step; at :math:`w^*` the gradient
    vanishes and an unscaled :math:`G = 1/\delta` would explode).  Li et al., AAAI 2016.
    """
    half, sq = step.half, step.sq
    V: torch.Tensor | None = None
    for t in range(steps):
        rec.loss(st)
        xi = rng.noise()
        gU = post.grad_potential(st.w, st.g)
        V = gU * gU if V is None else V.mul_(alpha).addcmul_(gU, gU, value=1 - alpha)
        G = 1.0 / (V.sqrt() + delta)
        G = G / G.mean(dim=1, keepdim=True)
        if isinstance(half, float):
            wp = torch.addcmul(st.w, G, gU, value=-half).addcmul_(G.sqrt(), xi, value=sq)
        else:
            wp = torch.addcmul(st.w, G * half, gU, value=-1.0).addcmul_(G.sqrt() * sq, xi)
        if diag_every is not None and t % diag_every == 0:
            _diagnosed_move(post, st, rec, rng, wp, gU, step, G)
        else:
            st.w.copy_(wp)
            st.idx = rng.idx()
            st.g, st.L = post.grads(st.w, st.idx)


def _mala(post: LocalPosterior, st: _Chains, rec: _Recorder, rng: RandomBlocks, steps: int, step: _Step) -> None:
    r"""MALA: the proposal :math:`w' = w - \tfrac\epsilon2\nabla U(w) + \sqrt\epsilon\,\xi` is accepted
    with probability :math:`a` of :func:`_mh_accept` (full batch; Roberts & Tweedie 1996)."""
    minus_half = -step.half
    for _ in range(steps):
        rec.loss(st)
        xi = rng.noise()
        gU = post.grad_potential(st.w, st.g)
        wp = _axpy_(_axpy_(st.w.clone(), minus_half, gU), step.sq, xi)
        a, gp, Lp = _mh_accept(post, st, wp, gU, step, None)
        rec.accept(a)
        accept = rng.uniform() < a
        st.w = torch.where(accept[:, None], wp, st.w)
        st.g = torch.where(accept[:, None], gp, st.g)
        st.L = torch.where(accept, Lp, st.L)


def _per_chain(value: Any, name: str, chains: int) -> np.ndarray:
    """A positive number, or a sequence of one per chain, as a ``(chains,)`` array."""
    if sequence_or_scalar(value):
        arr = np.asarray(v.reals(value, name, minimum=0.0, open_min=True))
        if arr.size not in (1, chains):
            raise ValueError(f"{name} must be one value or one per chain ({chains}); got {arr.size}")
        return per_chain(arr, chains)
    return per_chain(v.real(value, name, minimum=0.0, open_min=True), chains)


def sample_local_posterior(
    model: torch.nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    data: Sequence[torch.Tensor],
    *,
    n_beta: float | Sequence[float],
    gamma: float,
    step_size: float | Sequence[float],
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
    loss_form: str = "auto",
    parameters: Any = None,
    compress: bool = True,
    track_distance: bool = False,
    snapshot_every: int | None = None,
) -> SamplerRun:
    r"""Run ``chains`` chains on the localized tempered posterior :math:`p(w) \propto e^{-U(w)}`, in one batched program.

    .. math:: U(w) = n\beta\,L(w) + \tfrac\gamma2\lvert w - w^*\rvert^2

    (Lau et al., arXiv:2308.12108, eq. 7), :math:`w^*` the model's parameters (not modified).

    Parameters
    ----------
    model, loss_fn, data
        A ``torch.nn.Module``; the mean loss :math:`L_n` as ``loss_fn(outputs, targets)`` or
        ``loss_fn(model, batch)``; the data as tensors (``(X, Y)``, ``(X1, X2, Y)``, a dict) or any
        iterable of batches (read once).  See :mod:`numerics.singular_learning._objective` and
        :mod:`numerics.singular_learning._batches`.
    n_beta
        :math:`n\beta > 0`: one value, or one per chain (temperature sweeps in one program).
    gamma
        Localization :math:`\gamma \ge 0`.
    step_size
        :math:`\epsilon > 0`: one value, or one per chain (e.g. a step matched to each temperature).
    chains, draws, burn_in
        Chains (>= 1), recorded draws (>= 1) and discarded steps (>= 0).  Draws are the
        losses at :math:`w_t`, :math:`t = b, \dots, b + T - 1`.
    seed
        Seed of the noise, the minibatches and the accept tests.
    batch_size
        Rows per minibatch (independent rows for every chain); ``None``: the data's own batch size
        when they came as an iterable of batches, else full batch.  MALA needs full batch.
    sampler
        ``"sgld"`` (Welling & Teh 2011), ``"rmsprop"`` (Li et al. 2016, with ``rmsprop_alpha`` and
        ``rmsprop_eps``) or ``"mala"`` (Roberts & Tweedie 1996).
    rmsprop_alpha : float, default 0.99
        RMSProp's decay :math:`\alpha \in [0, 1)` of the running mean :math:`V` of squared gradients.
    rmsprop_eps : float, default 1e-5
        RMSProp's :math:`\delta > 0` in the preconditioner :math:`G = 1/(\sqrt V + \delta)`.
    diag_every
        For SGLD/RMSProp, the MALA acceptance probability of the step is computed every
        ``diag_every`` steps as a discretisation diagnostic (about +30% time at 10 on small
        models); ``None`` turns it off (acceptance NaN).
    model_vjp
        Take a recognised route when there is one (a model's hand-written pullback, a ``Sequential``
        deep linear network or MLP: :mod:`numerics.singular_learning._fastpaths`); ``False`` forces
        ``vmap`` + autograd.
    device, dtype
        Where and in which floating type to sample (default: the model's).
    loss_form
        ``"auto"``, ``"outputs"`` or ``"model"`` (the loss's signature).
    parameters
        ``None`` (every trainable parameter) or the names / module prefixes of the parameters to
        sample (``"0"`` for the first layer of a ``Sequential``); the others stay at :math:`w^*`.
    compress
        Compress the data exactly when the model is linear in its input under a squared loss.
    track_distance
        Also record :math:`|w_t - w^*|^2` at every ``DIST_EVERY``-th step (``extra["distance_trace"]``,
        ``(chains, m)``, at the draws ``extra["distance_draws"]``).
    snapshot_every
        Keep the parameters every this many steps after ``burn_in`` (``extra["samples"]``, a
        ``(snapshots, chains, d)`` tensor; ``extra["problem"]`` maps a row to the model's parameters).

    Returns
    -------
    SamplerRun

    Raises
    ------
    TypeError, ValueError
        Invalid arguments; MALA with minibatches.
    """
    sampler = v.choice(sampler, "sampler", SAMPLERS)
    chains = v.integer(chains, "chains", minimum=1)
    draws = v.integer(draws, "draws", minimum=1)
    burn_in = v.integer(burn_in, "burn_in", minimum=0)
    seed = v.seed(seed)
    diag_every = optional_int(diag_every, "diag_every", minimum=1)
    batch_size = optional_int(batch_size, "batch_size", minimum=1)
    gamma = v.real(gamma, "gamma", minimum=0.0)
    rmsprop_alpha = v.real(rmsprop_alpha, "rmsprop_alpha", minimum=0.0, maximum=1.0, open_max=True)
    rmsprop_eps = v.real(rmsprop_eps, "rmsprop_eps", minimum=0.0, open_min=True)
    model_vjp = v.boolean(model_vjp, "model_vjp")
    compress = v.boolean(compress, "compress")
    track_distance = v.boolean(track_distance, "track_distance")
    snapshot_every = optional_int(snapshot_every, "snapshot_every", minimum=1)
    nb = _per_chain(n_beta, "n_beta", chains)
    eps = _per_chain(step_size, "step_size", chains)
    t0 = time.perf_counter()
    post = build_posterior(model, loss_fn, data, n_beta=nb, gamma=gamma, chains=chains, batch_size=batch_size,
                           model_vjp=model_vjp, device=device, dtype=dtype, loss_form=loss_form, parameters=parameters,
                           compress=compress)
    if sampler == "mala" and not post.full:
        raise ValueError("sampler='mala' needs full-batch losses (batch_size=None or >= n)")
    steps = burn_in + draws
    step = _Step.of(eps, post)
    affine = (step.sq, (step.half * gamma) * post.w0) if sampler == "sgld" else None
    rng = RandomBlocks(post, seed, steps, affine)
    w = post.w0.expand(chains, post.d).clone()  # the state; SGLD updates it in place
    idx = rng.idx()
    g, L = post.grads(w, idx)
    snaps = None if snapshot_every is None else (burn_in, snapshot_every)
    st, rec = _Chains(w, g, L, idx), _Recorder(post, track_distance, snaps)
    if sampler == "sgld":
        _sgld(post, st, rec, rng, steps, step, diag_every)
    elif sampler == "rmsprop":
        _rmsprop(post, st, rec, rng, steps, step, diag_every, rmsprop_alpha, rmsprop_eps)
    else:
        _mala(post, st, rec, rng, steps, step)
    rec.loss(st)
    return _finish(post, st, rec, burn_in, steps, time.perf_counter() - t0, sampler)


def _finish(post: LocalPosterior, st: _Chains, rec: _Recorder, burn_in: int, steps: int, seconds: float,
            sampler: str) -> SamplerRun:
    """Trace, divergence / descent / stuck flags and acceptance of a finished run."""
    Lh = rec.history()  # (steps + 1, chains)
    trace = Lh[burn_in:steps].T
    thresh = 1e3 * post.d / (2 * post.nb)
    excess = Lh - post.init_loss
    up = excess.nan_to_num(nan=math.inf).amax(0)
    diverged = (up > thresh) | ~torch.isfinite(excess).all(0) | ~torch.isfinite(st.w).all(1) | rec.bad
    descended = ~diverged & ((trace - post.init_loss).mean(1) < -thresh)
    # the offset of compressed data is added back in float64 (the sampled losses are L_n - offset)
    tr = trace.cpu().numpy().astype(np.float64) + post.loss_offset
    moved = (st.w != post.w0).any(1).cpu().numpy()
    acc = (rec.acc_sum / rec.acc_n).cpu().numpy() if rec.acc_n else np.full(post.chains, np.nan)
    extra: dict[str, Any] = {"grad_norm": post.grad_norm, "oracle": post.oracle, "sampler": sampler,
                             "loss_offset": post.loss_offset, "batch_size": post.batch, "rows": post.n,
                             "problem": post.problem, "d": post.d}
    D = rec.distances()
    if D is not None:  # thinned: the draws t = burn_in .. steps - 1 at which the distance was recorded
        keep = (D[0] >= burn_in) & (D[0] < steps)
        extra["distance_trace"] = D[1][torch.as_tensor(keep)].T.cpu().numpy().astype(np.float64)
        extra["distance_draws"] = D[0][keep] - burn_in
    if rec.snaps:
        extra["samples"] = torch.stack(rec.snaps).cpu()
    return SamplerRun(tr, post.init_loss + post.loss_offset, post.nb.cpu().numpy(), diverged.cpu().numpy(), acc, seconds,
                      extra, descended.cpu().numpy(), moved)
