r"""The local learning coefficient and the degradation curve, from batched Langevin chains.

The estimator (Lau et al., arXiv:2308.12108, Def. 1) is

.. math:: \hat\lambda(w^*) = n\beta\,\big(E_p[L_n(w)] - L_n(w^*)\big),

with :math:`p` the localized tempered posterior of :func:`~numerics.singular_learning.sample_local_posterior`.
Each chain gives one estimate; the value is their mean.  Its standard error is :math:`n\beta`
times the Monte Carlo standard error of the mean loss from the effective sample size of the
traces (autocorrelation and the spread between chains included; Vehtari et al. 2021); the
plain spread of the independent per-chain estimates over :math:`\sqrt C`, a Student-t quantity
with :math:`C - 1` degrees of freedom, is kept as ``diagnostics["stderr_across_chains"]`` and
``diagnostics["dof"]`` (the checks, which need exact small-sample statistics, use it).  The
diagnostics (R-hat, ESS, step size, localization shift, warnings) are those of
:mod:`numerics.singular_learning._diagnostics`.

Every run is screened before anything is averaged; a run that cannot give a meaningful number
raises rather than returning one:

* chains whose mean loss fell far below :math:`L_n(w^*)` (``descended``): :math:`w^*` is not a
  local minimum -- ``ValueError`` (train first; this is not a step-size problem);
* chains that never left :math:`w^*` (MALA with every proposal rejected): excluded; when none
  moved, ``RuntimeError`` with the remedy (lower ``step_size``);
* diverged chains: excluded and reported; fewer than two usable chains -- ``FloatingPointError``.

Private module; the public names are re-exported by :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Sequence

import numpy as np
import torch

from numerics import validate as v
from numerics.estimate import Estimate
from numerics.singular_learning._batches import as_fields
from numerics.singular_learning._diagnostics import (
    STEP_SCALE,
    convergence,
    default_step,
    localization_shift,
    step_sensitivity,
    warnings_for,
)
from numerics.singular_learning._hessian import hessian_max_eigenvalue
from numerics.singular_learning._samplers import SAMPLERS, SamplerRun, sample_local_posterior
from numerics.singular_learning._target import sequence_or_scalar

__all__ = ["estimate_llc", "degradation_sweep"]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
#: Below this mean MALA acceptance the chains move rarely (0.574 is optimal: Roberts & Rosenthal,
#: J. R. Stat. Soc. B 60 (1998) 255); the estimate then leans towards its starting point.
LOW_ACCEPTANCE = 0.2


def _screen(run: SamplerRun, rows: np.ndarray, step_size: float, sampler: str, where: str = "") -> tuple[np.ndarray, list[str]]:
    """The usable chains among ``rows`` and the warnings; raises when the run cannot give an estimate."""
    msgs: list[str] = []
    desc = rows[run.descended[rows]]
    if desc.size:
        fall = float(np.max(run.init_loss - run.loss_trace[desc].mean(1)))
        raise ValueError(
            f"w* is not a local minimum of the loss{where}: in chains {desc.tolist()} the mean loss fell by up to {fall:.3g} "
            f"below L(w*) = {run.init_loss:.3g} (|grad L(w*)| = {run.extra['grad_norm']:.3g}); train the model to a "
            "minimum first (this is not a step-size problem)")
    acc = float(np.nanmean(run.acceptance[rows])) if np.any(np.isfinite(run.acceptance[rows])) else math.nan
    stuck = rows[~run.moved[rows]]
    if stuck.size == rows.size:
        why = f"every MALA proposal was rejected (mean acceptance {acc:.2g})" if sampler == "mala" else \
            "the parameters never changed (step_size below the floating-point resolution?)"
        raise RuntimeError(f"chains did not move{where}: {why}; lower step_size (now {step_size:g}) for MALA, "
                           "or raise it if the steps underflow")
    if stuck.size:
        msgs.append(f"{stuck.size} of {rows.size} chains never moved{where} (indices {stuck.tolist()}; mean acceptance "
                    f"{acc:.2g}); excluded; lower step_size")
    if sampler == "mala" and acc < LOW_ACCEPTANCE:
        msgs.append(f"MALA acceptance {acc:.2g} is low{where} (below {LOW_ACCEPTANCE}): chains move rarely and the "
                    f"estimate leans towards 0; lower step_size (now {step_size:g})")
    bad = rows[run.diverged[rows]]
    if bad.size:
        msgs.append(f"{bad.size} of {rows.size} chains diverged{where} (indices {bad.tolist()}); excluded")
    ok = rows[~run.diverged[rows] & run.moved[rows]]
    if ok.size < 2:
        for m in msgs:
            warnings.warn(m, RuntimeWarning, stacklevel=3)
        raise FloatingPointError(f"{sampler.upper()} diverged{where} in chains {bad.tolist()}: step_size={step_size:g} too "
                                 "large (fewer than two usable chains)")
    return ok, msgs


def _check_common(chains: Any, gamma: Any, draws: Any, burn_in: Any, seed: Any) -> tuple[int, float]:
    v.integer(draws, "draws", minimum=1)
    v.integer(burn_in, "burn_in", minimum=0)
    v.seed(seed)
    return v.integer(chains, "chains", minimum=2), v.real(gamma, "gamma", minimum=0.0)


def estimate_llc(
    model: torch.nn.Module,
    loss_fn: Callable[..., torch.Tensor],
    data: Any,
    *,
    n_beta: float | None = None,
    gamma: float = 100.0,
    step_size: float | None = None,
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
    loss_form: str = "auto",
    parameters: Any = None,
    compress: bool = True,
    step_check: bool = True,
) -> Estimate:
    r"""Local learning coefficient :math:`\hat\lambda = n\beta(E_p[L_n] - L_n(w^*))` of a trained model, with its diagnostics.

    Parameters
    ----------
    model, loss_fn, data
        The model at :math:`w^*` (not modified); the mean loss as ``loss_fn(outputs, targets)`` or
        ``loss_fn(model, batch)`` (``loss_form``); the data as tensors (``(X, Y)``, ``(X1, X2, Y)``, a
        dict) or any iterable of batches (a ``DataLoader``, a generator: read once).
    n_beta
        :math:`n\beta > 0`; ``None`` uses the WBIC value :math:`n/\ln n` (Watanabe, JMLR 14 (2013) 867),
        :math:`n` the number of rows.
    gamma
        Localization :math:`\gamma \ge 0`; its first-order bias is measured and reported.
    step_size
        :math:`\epsilon > 0`; ``None`` (default) chooses :math:`\epsilon = s/(n\beta h_{\max} + \gamma)`,
        :math:`s` = :data:`~numerics.singular_learning._diagnostics.STEP_SCALE`, from the measured top
        Hessian eigenvalue (reported as ``diagnostics["step_size"]``).
    chains, draws, burn_in, seed, batch_size, sampler, diag_every, model_vjp, device, dtype, loss_form, parameters, compress
        As in :func:`~numerics.singular_learning.sample_local_posterior`; ``chains >= 2``.
    bias_diagnostic
        Also report :math:`h_{\max}` and the relative step-size bias :math:`\tfrac{\epsilon A/4}{1-\epsilon A/4}`,
        :math:`A = n\beta h_{\max} + \gamma`, exact for a quadratic loss (Welling & Teh 2011).
    step_check
        Run as many chains at :math:`2\epsilon` in the same program (SGLD and RMSProp): warns when the
        estimate moves with the step and reports the extrapolated value.

    Returns
    -------
    Estimate
        ``value``: the mean over the usable chains at :math:`\epsilon`; ``stderr``: :math:`n\beta` times the
        Monte Carlo standard error of the mean loss from its effective sample size (``method="ess"``).
        Diagnostics (always): ``r_hat``, ``ess``, ``ess_mean``, ``stderr_across_chains`` and ``dof``
        (usable chains - 1), ``step_size`` and ``step_rule``, ``localization_bias`` (first-order shift
        caused by :math:`\gamma`) with ``localization_bias_stderr``, ``warnings``, ``route`` (the gradient
        route), ``batch_size``, ``rows``, ``llc_per_chain``, ``loss_trace``, ``init_loss``, ``n_beta``,
        ``diverged_chains``, ``acceptance_rate``, ``grad_norm``, ``gradient_shift_bound``; with
        ``step_check``: ``llc_double_step``, ``step_change`` (+ stderr), ``llc_extrapolated`` (+ stderr);
        with ``bias_diagnostic`` or the default step: ``hessian_max``, ``step_size_bias``.
        See :mod:`numerics.singular_learning._diagnostics`.

    Raises
    ------
    TypeError, ValueError
        Invalid arguments (the message names the argument); a model with no trainable parameters; a
        loss that is not a scalar per batch; empty, exhausted or non-finite data; a parameter subset
        naming no parameter; :math:`w^*` is not a local minimum (the chains descend).
    RuntimeError
        No chain moved (MALA with every proposal rejected): lower ``step_size``.
    FloatingPointError
        Fewer than two chains survived (step too large).

    Warns
    -----
    RuntimeWarning
        Diverged or stuck chains (excluded), low MALA acceptance, a significantly negative estimate, a
        gradient at :math:`w^*`, a step beyond the stability limit, split R-hat > 1.01, bulk ESS < 400,
        a localization shift above 5% of the estimate, an estimate that moves with the step size --
        each with its remedy.

    References
    ----------
    Lau, Furman, Wang, Murfet & Wei, arXiv:2308.12108, Def. 1 and Alg. 1; Watanabe, JMLR 14 (2013) 867;
    Vehtari et al., Bayesian Analysis 16 (2021) 667.
    """
    chains, gamma = _check_common(chains, gamma, draws, burn_in, seed)
    bias_diagnostic = v.boolean(bias_diagnostic, "bias_diagnostic")
    step_check = v.boolean(step_check, "step_check")
    sampler = v.choice(sampler, "sampler", SAMPLERS)
    fields = as_fields(data)
    if n_beta is None:
        if fields.n < 2:
            raise ValueError(f"data must have at least 2 rows for the default n_beta = n / ln n; got {fields.n}")
        n_beta = fields.n / math.log(fields.n)
    n_beta = v.real(n_beta, "n_beta", minimum=0.0, open_min=True)
    if step_size is not None:
        step_size = v.real(step_size, "step_size", minimum=0.0, open_min=True)
    kw = dict(device=device, dtype=dtype, loss_form=loss_form, parameters=parameters)
    h = hessian_max_eigenvalue(model, loss_fn, fields, seed=seed, **kw) if bias_diagnostic or step_size is None else None
    rule = "given"
    if step_size is None:
        step_size = default_step(h, n_beta, gamma)
        rule = f"{STEP_SCALE:g} / (n_beta h_max + gamma)"
    two = step_check and sampler != "mala"
    run = sample_local_posterior(model, loss_fn, fields, n_beta=n_beta, gamma=gamma,
                                 step_size=[step_size] * chains + [2 * step_size] * chains if two else step_size,
                                 chains=2 * chains if two else chains, draws=draws, burn_in=burn_in, seed=seed,
                                 batch_size=batch_size, sampler=sampler, diag_every=diag_every, model_vjp=model_vjp,
                                 compress=compress, track_distance=True, **kw)
    ok, msgs = _screen(run, np.arange(chains), step_size, sampler)
    llc = n_beta * (run.loss_trace[ok].mean(axis=1) - run.init_loss)
    value = float(llc.mean())
    se_chains = float(llc.std(ddof=1) / np.sqrt(ok.size))
    conv = convergence(run.loss_trace[ok])
    se = n_beta * conv["mcse_mean"] if math.isfinite(conv["mcse_mean"]) else se_chains
    gn = float(run.extra["grad_norm"])
    shift = (n_beta * gn) ** 2 / gamma if gamma > 0 else math.nan
    at = run.extra.get("distance_draws", np.zeros(0, dtype=int))
    loc = localization_shift(run.loss_trace[ok][:, at], run.extra["distance_trace"][ok], n_beta, gamma) \
        if at.size else (math.nan, math.nan)
    diag: dict[str, Any] = {
        "llc_per_chain": llc, "dof": int(ok.size - 1), "loss_trace": run.loss_trace[:chains], "init_loss": run.init_loss,
        "n_beta": n_beta, "diverged_chains": np.flatnonzero(run.diverged[:chains]).tolist(),
        "acceptance_rate": run.acceptance[:chains], "sampler": sampler, "grad_norm": gn, "gradient_shift_bound": shift,
        "r_hat": conv["r_hat"], "ess": conv["ess"], "ess_mean": conv["ess_mean"], "stderr_across_chains": se_chains,
        "step_size": step_size, "step_rule": rule, "localization_bias": loc[0], "localization_bias_stderr": loc[1],
        "route": run.extra["oracle"], "batch_size": run.extra["batch_size"], "rows": fields.n,
    }
    step = None
    if two:
        rows2 = np.arange(chains, 2 * chains)
        ok2 = rows2[~run.diverged[rows2] & run.moved[rows2]]
        if ok2.size >= 2:
            step = step_sensitivity(llc, n_beta * (run.loss_trace[ok2].mean(axis=1) - run.init_loss))
            diag.update(step)
        else:
            msgs.append(f"the chains at twice the step ({2 * step_size:.3g}) diverged: the step is near the stability limit; "
                        "lower step_size")
    if value + 3 * se < 0:
        msgs.append(f"negative LLC {value:.3g} +- {se:.2g}: w* is not a local minimum of the loss")
    if shift > se:
        msgs.append(f"|grad L(w*)| = {gn:.3g}: w* is not a stationary point and the estimate may be shifted by up to "
                    f"{shift:.3g} ((n beta |grad L|)^2 / gamma), more than its standard error {se:.2g}; train the model "
                    "to a minimum first")
    msgs += warnings_for(value, se, conv, loc, step, gamma=gamma, step_size=step_size)
    if h is not None:
        x = step_size * (n_beta * h + gamma) / 4
        diag["hessian_max"] = h
        diag["step_size_bias"] = math.inf if x >= 1 else x / (1 - x)
        if x >= 1 and sampler != "mala":
            msgs.append(f"step_size*(n_beta*h_max+gamma) = {4 * x:.3g} >= 4: SGLD is unstable on the stiffest direction")
    diag["warnings"] = msgs
    for m in msgs:
        warnings.warn(m, RuntimeWarning, stacklevel=2)
    return Estimate(value, se, int(ok.size), seed, run.seconds, "ess", diag)


def degradation_sweep(
    model: torch.nn.Module,
    loss_fn: LossFn,
    data: Sequence[torch.Tensor],
    n_betas: Sequence[float],
    *,
    gamma: float = 100.0,
    step_size: float | Sequence[float] = 1e-4,
    chains: int = 8,
    draws: int = 400,
    burn_in: int = 200,
    seed: int = 0,
    batch_size: int | None = None,
    sampler: str = "sgld",
    diag_every: int | None = 10,
    device: Any = None,
    dtype: Any = None,
) -> Estimate:
    r"""Expected excess loss :math:`E_{n\beta}[L_n] - L_n(w^*)` against temperature, in one batched program.

    ``chains`` chains per temperature, all ``len(n_betas) * chains`` run together.  The
    degradation law of singular learning theory is :math:`E_{n\beta}[L_n] - L_n(w^*) \approx \lambda/(n\beta)`
    (Watanabe 2009, ch. 6; Lau et al., arXiv:2308.12108, sec. 3).

    Parameters
    ----------
    model, loss_fn, data
        As in :func:`estimate_llc`.
    n_betas
        The temperatures :math:`n\beta_k > 0` (at least one).
    step_size
        :math:`\epsilon > 0`, one for all temperatures or one per temperature (a step matched to
        each temperature, :math:`\epsilon_k \propto 1/(n\beta_k h_{\max} + \gamma)`, keeps both the
        mixing and the relative step-size bias the same at every temperature).
    gamma, chains, draws, burn_in, seed, batch_size, sampler, diag_every, device, dtype
        As in :func:`estimate_llc` (``chains`` per temperature, >= 2).

    Returns
    -------
    Estimate
        ``value``/``stderr``: the excess loss per temperature (mean and across-chain error).
        Diagnostics: ``x`` and ``axis`` (:math:`1/(n\beta_k)`), ``n_beta``, ``llc`` and ``llc_stderr`` per
        temperature, ``dof`` (usable chains - 1 per temperature), ``r_hat`` and ``ess`` (split R-hat and
        bulk ESS of each temperature's loss traces; not warned about: the sweep's users judge them), ``excess_per_chain``
        ``(len(n_betas), chains)`` (NaN for excluded chains: chain ``c`` of every temperature
        forms replicate ``c``, independent of the others), ``diverged_chains``, ``acceptance_rate``, ``warnings``.

    Raises
    ------
    TypeError, ValueError, RuntimeError, FloatingPointError
        As :func:`estimate_llc`, per temperature.
    """
    nbs = np.asarray(v.reals(n_betas, "n_betas", minimum=0.0, open_min=True))
    chains, gamma = _check_common(chains, gamma, draws, burn_in, seed)
    if sequence_or_scalar(step_size):
        eps = np.asarray(v.reals(step_size, "step_size", minimum=0.0, open_min=True, length=nbs.size))
    else:
        eps = np.full(nbs.size, v.real(step_size, "step_size", minimum=0.0, open_min=True))
    per = np.repeat(nbs, chains)
    run = sample_local_posterior(model, loss_fn, data, n_beta=per, gamma=gamma, step_size=np.repeat(eps, chains), chains=per.size,
                                 draws=draws, burn_in=burn_in, seed=seed, batch_size=batch_size, sampler=sampler,
                                 diag_every=diag_every, device=device, dtype=dtype)
    K = nbs.size
    ex, se, llc, llc_se, dof, rhat, ess = (np.empty(K) for _ in range(7))
    per_chain = np.full((K, chains), np.nan)
    msgs: list[str] = []
    for k in range(K):
        rows = np.arange(k * chains, (k + 1) * chains)
        ok, m = _screen(run, rows, float(eps[k]), sampler, where=f" at n_beta={nbs[k]:g}")
        msgs += m
        e = run.loss_trace[ok].mean(axis=1) - run.init_loss
        per_chain[k, ok - k * chains] = e
        ex[k], se[k] = e.mean(), e.std(ddof=1) / np.sqrt(ok.size)
        llc[k], llc_se[k], dof[k] = nbs[k] * ex[k], nbs[k] * se[k], ok.size - 1
        conv = convergence(run.loss_trace[ok])
        rhat[k], ess[k] = conv["r_hat"], conv["ess"]
    for m in msgs:
        warnings.warn(m, RuntimeWarning, stacklevel=2)
    diag = {"x": 1.0 / nbs, "axis": 1.0 / nbs, "n_beta": nbs, "step_size": eps, "llc": llc, "llc_stderr": llc_se, "dof": dof,
            "excess_per_chain": per_chain, "diverged_chains": np.flatnonzero(run.diverged).tolist(),
            "acceptance_rate": run.acceptance, "r_hat": rhat, "ess": ess, "route": run.extra["oracle"], "warnings": msgs}
    return Estimate(ex, se, chains, seed, run.seconds, "across-chains", diag)
