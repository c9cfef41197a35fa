r"""Natural degradation: behaviours of a trained network measured on its tempered local posterior, against temperature.

At temperature :math:`T` (inverse temperature :math:`\beta = 1/T`) the localized tempered posterior
:math:`p_T(w) \propto \exp(-\tfrac nT L_n(w) - \tfrac\gamma2|w - w^*|^2)` spreads around the trained
:math:`w^*`: the higher :math:`T`, the more the network is "naturally degraded" -- perturbed only in
directions the data allow.  A behaviour :math:`B(w)` (a sub-task loss, an accuracy) degrades by
:math:`\Delta B(T) = E_{p_T}[B] - B(w^*)`; behaviours that survive to high temperatures are carried
by the general structure of the network, those that vanish early are fragile (memorisation-like).
At low temperature the expected loss rises as :math:`\lambda T/n` (Watanabe 2009, ch. 6; Lau et al.,
arXiv:2308.12108) and a behaviour whose loss is a quadratic form :math:`\tfrac12\Delta w^\top M\Delta w`
rises as :math:`\tfrac T{2n}\mathrm{tr}(MH^{-1})` (the derivation ``singular_learning-quadratic-degradation``).

Every temperature and chain is one batched SGLD program (step :math:`\epsilon_k = s/(n\beta_k h_{\max}
+ \gamma)` per temperature); the parameters are kept every few draws and each behaviour is
evaluated on them (under ``vmap`` when it allows, else one sample at a time).

Private module of :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import torch
from torch.func import functional_call, vmap

from numerics import validate as v
from numerics.estimate import Estimate
from numerics.singular_learning._batches import as_fields
from numerics.singular_learning._diagnostics import STEP_SCALE, convergence
from numerics.singular_learning._hessian import hessian_max_eigenvalue
from numerics.singular_learning._samplers import sample_local_posterior

__all__ = ["DegradationResult", "degradation_experiment", "characteristic_temperature"]

#: Parametric bootstrap replicas for the interval of a characteristic temperature.
_BOOT = 4000


@dataclass
class DegradationResult:
    """What :func:`degradation_experiment` returns.

    Parameters
    ----------
    temperatures : numpy.ndarray
        Shape ``(K,)``: the ladder :math:`T_1 < \\dots < T_K`.
    n_beta : numpy.ndarray
        Shape ``(K,)``: :math:`n\\beta_k = n/T_k` (:math:`n` rows of data).
    step_size : numpy.ndarray
        Shape ``(K,)``: the SGLD step at each temperature.
    baseline : dict of str to float
        Each behaviour at :math:`w^*`.
    curves : dict of str to Estimate
        Per behaviour an :class:`~numerics.estimate.Estimate` of :math:`\\Delta B(T_k)` (value and
        across-chain standard error per temperature, shape ``(K,)``; ``diagnostics``: ``dof``, ``per_chain``
        ``(K, chains)`` with diverged chains NaN, ``axis`` = temperatures, ``baseline``).
    characteristic : dict of str to tuple of float
        Per behaviour ``(T*, low, high)``: where :math:`\\Delta B` first reaches ``threshold`` of its
        value at the top of the ladder, and a 95% interval (``inf`` when not reached in the ladder);
        see :func:`characteristic_temperature`.
    threshold : float
        The fraction used, in (0, 1).
    llc : numpy.ndarray
        Shape ``(K,)``: :math:`n\\beta_k(E[L_n] - L_n(w^*))` per temperature (the loss's own degradation, as an LLC).
    diagnostics : dict, optional
        ``r_hat`` and ``ess`` per temperature, ``route``, ``hessian_max``, ``warnings``, ``evaluation``
        (``"vmap"`` or ``"loop"`` per behaviour), ``snapshots`` (per chain) and ``diverged_chains``.
    """

    temperatures: np.ndarray
    n_beta: np.ndarray
    step_size: np.ndarray
    baseline: dict[str, float]
    curves: dict[str, Estimate]
    characteristic: dict[str, tuple[float, float, float]]
    threshold: float
    llc: np.ndarray
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def plot(self, path: str | None = None, title: str | None = None) -> Any:
        """All behaviours against temperature on one figure: :math:`\\Delta B/\\Delta B(T_{\\max})` with 1-sigma bars,
        the threshold and each characteristic temperature with its interval.  Saves a PNG when ``path`` is given.

        Parameters
        ----------
        path : str, optional
            File to save the figure to (PNG, 110 dpi); the figure is then closed.  ``None``: not saved.
        title : str, optional
            The figure's title; ``None``: a default one.

        Returns
        -------
        matplotlib.figure.Figure
            The figure (log-scaled temperature axis, one curve per behaviour).
        """
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        T = self.temperatures
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for i, (name, est) in enumerate(self.curves.items()):
            top = float(est.value[-1]) if est.value[-1] != 0 else 1.0
            ax.errorbar(T, est.value / top, yerr=est.stderr / abs(top), fmt="o-", ms=4, lw=1, color=f"C{i}", capsize=2,
                        label=f"{name} (Δ at top {est.value[-1]:.3g})")
            t, lo, hi = self.characteristic[name]
            if math.isfinite(t):
                ax.plot([max(lo, T[0]), min(hi, T[-1])], [self.threshold] * 2, color=f"C{i}", lw=5, alpha=0.35)
                ax.plot([t], [self.threshold], "|", color=f"C{i}", ms=14, mew=2)
        ax.axhline(self.threshold, color="0.5", ls=":", lw=1)
        ax.set_xscale("log")
        ax.set_xlabel("temperature T = 1/β (posterior ∝ exp(−n L / T − γ|w − w*|²/2))")
        ax.set_ylabel("degradation ΔB(T) / ΔB(T_max)")
        ax.set_title(title or "natural degradation: behaviours against temperature (bars: characteristic T, 95%)", fontsize=9)
        ax.legend(fontsize=7)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=110)
            plt.close(fig)
        return fig


def characteristic_temperature(temperatures: np.ndarray, mean: np.ndarray, stderr: np.ndarray, dof: int,
                               threshold: float, seed: int = 0) -> tuple[float, float, float]:
    r"""``(T*, low, high)``: the first crossing of :math:`\Delta B/\Delta B(T_{\max}) = ` ``threshold``, linear in :math:`\log T`.

    The interval is a parametric bootstrap: every temperature's mean is redrawn as
    :math:`\bar x_k + s_k t_{\nu}` (Student t, :math:`\nu` = chains - 1), the crossing recomputed, and
    the 2.5% and 97.5% quantiles taken (``inf`` for replicas that never cross; Efron & Tibshirani,
    *An Introduction to the Bootstrap*, 1993, ch. 6).

    Parameters
    ----------
    temperatures : numpy.ndarray
        Shape ``(K,)``: the ladder :math:`T_1 < \dots < T_K`, positive.
    mean : numpy.ndarray
        Shape ``(K,)``: the degradation :math:`\Delta B(T_k)` at each temperature.
    stderr : numpy.ndarray
        Shape ``(K,)``: its standard error at each temperature.
    dof : int
        Degrees of freedom :math:`\nu` of the Student t draws (chains - 1; values below 1 are taken as 1).
    threshold : float
        The fraction of :math:`\Delta B(T_K)` to reach, in (0, 1).
    seed : int, default 0
        Seed of the bootstrap's generator.

    Returns
    -------
    tuple of float
        ``(T*, low, high)``: the crossing temperature (:math:`T_1` when already reached there, ``inf`` when never
        reached or when :math:`\Delta B(T_K) = 0`) and the bounds of its 95% interval (possibly ``inf``).
    """
    T = np.log(np.asarray(temperatures, float))

    def cross(m: np.ndarray) -> np.ndarray:  # m: (R, K)
        top = m[:, -1:]
        u = np.divide(m, top, out=np.full_like(m, np.nan), where=top != 0)
        above = u >= threshold
        first = np.where(above.any(1), above.argmax(1), -1)
        out = np.full(m.shape[0], np.inf)
        for r in np.flatnonzero(first >= 0):
            k = first[r]
            if k == 0:
                out[r] = T[0]
                continue
            u0, u1 = u[r, k - 1], u[r, k]
            out[r] = T[k - 1] + (threshold - u0) / (u1 - u0) * (T[k] - T[k - 1]) if u1 != u0 else T[k]
        return np.exp(out)

    est = float(cross(np.asarray(mean, float)[None])[0])
    rng = np.random.default_rng(seed)
    draws = np.asarray(mean, float)[None] + np.asarray(stderr, float)[None] * rng.standard_t(max(dof, 1), (_BOOT, len(T)))
    reps = cross(draws)
    lo, hi = np.quantile(reps, [0.025, 0.975])
    return est, float(lo), float(hi)


class _Behaviour(torch.nn.Module):
    def __init__(self, model: torch.nn.Module, fn: Callable[[torch.nn.Module], Any]) -> None:
        super().__init__()
        self.model = model
        self.__dict__["fn"] = fn

    def forward(self) -> Any:
        return self.fn(self.model)


def _scalar(value: Any, name: str, where: str) -> float:
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"behaviour {name!r} returned a tensor of shape {tuple(value.shape)} {where}; it must return a scalar")
        value = float(value.detach())
    elif isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
        value = float(value)
    else:
        raise ValueError(f"behaviour {name!r} returned {v.describe(value)} {where}; it must return a scalar (a number or a 1-element tensor)")
    if not math.isfinite(value):
        raise ValueError(f"behaviour {name!r} returned a non-finite value ({value}) {where}")
    return value


def _evaluate(prob: Any, name: str, fn: Callable[[torch.nn.Module], Any], W: torch.Tensor) -> tuple[np.ndarray, str]:
    """``fn`` at every row of ``W`` ``(m, d)``: vmapped over rows when the behaviour allows, else row by row."""
    wrapper = _Behaviour(prob.model, fn)

    def one(w: torch.Tensor) -> torch.Tensor:
        out = functional_call(wrapper, prob.params(w), ())
        return torch.as_tensor(out).reshape(())

    with torch.no_grad():
        try:
            vals = torch.cat([vmap(one)(W[i:i + 256]) for i in range(0, W.shape[0], 256)]).double().cpu().numpy()
            if np.all(np.isfinite(vals)):
                return vals, "vmap"
        except Exception:  # noqa: BLE001 - data-dependent behaviours cannot be vmapped: evaluate one by one
            pass
        out = np.empty(W.shape[0])
        for i in range(W.shape[0]):
            try:
                r = functional_call(wrapper, prob.params(W[i]), ())
            except Exception as exc:  # noqa: BLE001 - re-raised naming the behaviour
                raise RuntimeError(f"behaviour {name!r} raised {type(exc).__name__} on posterior sample {i}: {exc}") from exc
            out[i] = _scalar(r, name, f"on posterior sample {i}")
    return out, "loop"


def degradation_experiment(
    model: torch.nn.Module,
    loss_fn: Callable[..., torch.Tensor],
    data: Any,
    behaviours: Mapping[str, Callable[[torch.nn.Module], Any]],
    temperatures: Any,
    *,
    gamma: float = 100.0,
    step_size: float | None = None,
    chains: int = 4,
    draws: int = 400,
    burn_in: int = 200,
    evaluations: int = 10,
    threshold: float = 0.5,
    seed: int = 0,
    batch_size: int | None = None,
    loss_form: str = "auto",
    parameters: Any = None,
    model_vjp: bool = True,
    device: Any = None,
    dtype: Any = None,
) -> DegradationResult:
    r"""Sample the tempered local posterior over a temperature ladder and measure how each behaviour degrades.

    Parameters
    ----------
    model, loss_fn, data, loss_form, parameters, batch_size, model_vjp, device, dtype
        As in :func:`~numerics.singular_learning.estimate_llc` (the model is not modified).
    behaviours
        ``name -> fn(model)`` returning a scalar (a number or a 1-element tensor): a sub-task loss,
        an accuracy.  Called on the model with sampled parameters.
    temperatures
        :math:`T_1 < \dots < T_K`, positive, at least two; :math:`n\beta_k = n/T_k` (:math:`n` rows).
    gamma
        Localization :math:`\gamma \ge 0`.
    step_size
        One step for all temperatures, or one per temperature; ``None``: :math:`\epsilon_k = s/(n\beta_k h_{\max} +
        \gamma)` per temperature.
    chains, draws, burn_in
        Chains per temperature (>= 2), recorded draws and discarded steps.
    evaluations
        Parameter snapshots per chain at which the behaviours are evaluated: the steps
        :math:`t = b + j\,\max(1, \lfloor T/E\rfloor)`, :math:`j = 0, \dots, E - 1` (:math:`b` = ``burn_in``,
        :math:`T` = ``draws``, :math:`E` = ``evaluations``; the chains start at :math:`w^*` at :math:`t = 0`).
    threshold
        In (0, 1): the characteristic temperature is where :math:`\Delta B` first reaches this
        fraction of its value at the top of the ladder.
    seed
        Seed of the sampler and of the bootstrap.

    Returns
    -------
    DegradationResult

    Raises
    ------
    TypeError, ValueError
        Invalid arguments; a ladder that is not positive and increasing; a behaviour that returns a
        non-scalar or a non-finite value; everything :func:`~numerics.singular_learning.estimate_llc` raises.
    RuntimeError
        A behaviour raised (the message names it and where).

    References
    ----------
    Watanabe, *Algebraic Geometry and Statistical Learning Theory* (2009), ch. 6; Lau, Furman, Wang, Murfet
    & Wei, arXiv:2308.12108.
    """
    if not isinstance(behaviours, Mapping) or not behaviours:
        raise TypeError(f"behaviours must be a non-empty mapping name -> fn(model); got {v.describe(behaviours)}")
    for name, fn in behaviours.items():
        if not isinstance(name, str):
            raise TypeError(f"behaviour names must be strings; got {v.describe(name)}")
        v.function(fn, f"behaviours[{name!r}]")
    T = np.asarray(v.reals(temperatures, "temperatures", min_length=2))
    if np.any(T <= 0) or np.any(np.diff(T) <= 0):
        raise ValueError(f"temperatures must be positive and increasing; got {T.tolist()}")
    chains = v.integer(chains, "chains", minimum=2)
    draws = v.integer(draws, "draws", minimum=1)
    evaluations = v.integer(evaluations, "evaluations", minimum=1, maximum=draws)
    threshold = v.real(threshold, "threshold", minimum=0.0, maximum=1.0, open_min=True, open_max=True)
    gamma = v.real(gamma, "gamma", minimum=0.0)
    seed = v.seed(seed)
    fields = as_fields(data)
    nb = fields.n / T
    kw = dict(device=device, dtype=dtype, loss_form=loss_form, parameters=parameters)
    h = hessian_max_eigenvalue(model, loss_fn, fields, seed=seed, **kw)
    if step_size is None:
        eps = STEP_SCALE / (nb * h + gamma)
    elif isinstance(step_size, (list, tuple, np.ndarray)):
        eps = np.asarray(v.reals(step_size, "step_size", minimum=0.0, open_min=True, length=T.size))
    else:
        eps = np.full(T.size, v.real(step_size, "step_size", minimum=0.0, open_min=True))
    base = {}
    for name, fn in behaviours.items():
        try:
            with torch.no_grad():
                out = fn(model)
        except Exception as exc:  # noqa: BLE001 - re-raised naming the behaviour
            raise RuntimeError(f"behaviour {name!r} raised {type(exc).__name__} at the trained parameters w*: {exc}") from exc
        base[name] = _scalar(out, name, "at the trained parameters w*")
    K = T.size
    run = sample_local_posterior(model, loss_fn, fields, n_beta=np.repeat(nb, chains), gamma=gamma,
                                 step_size=np.repeat(eps, chains), chains=K * chains, draws=draws, burn_in=burn_in, seed=seed,
                                 batch_size=batch_size, model_vjp=model_vjp, snapshot_every=max(1, draws // evaluations),
                                 compress=False, **kw)
    div = run.diverged.reshape(K, chains)
    msgs = []
    for k in np.flatnonzero(div.any(1)):
        if (~div[k]).sum() < 2:
            raise FloatingPointError(f"at temperature {T[k]:g} {int(div[k].sum())} of {chains} chains diverged (step "
                                     f"{eps[k]:.3g}): lower step_size")
        msgs.append(f"at temperature {T[k]:g} {int(div[k].sum())} of {chains} chains diverged (step {eps[k]:.3g}); excluded")
    for m in msgs:
        warnings.warn(m, RuntimeWarning, stacklevel=2)
    S = run.extra["samples"][:evaluations]  # (S, K*C, d)
    prob = run.extra["problem"]
    W = S.reshape(-1, S.shape[-1]).to(prob.w0.device)
    curves, chars, how = {}, {}, {}
    for name, fn in behaviours.items():
        vals, how[name] = _evaluate(prob, name, fn, W)
        per = vals.reshape(S.shape[0], K, chains).mean(0) - base[name]  # (K, C)
        per[div] = np.nan
        cnt = (~div).sum(1)
        m, se = np.nanmean(per, 1), np.nanstd(per, 1, ddof=1) / np.sqrt(cnt)
        curves[name] = Estimate(m, se, int(cnt.min()), seed, run.seconds, "across-chains",
                                {"dof": cnt - 1, "per_chain": per, "axis": T, "baseline": base[name]})
        chars[name] = characteristic_temperature(T, m, se, int(cnt.min()) - 1, threshold, seed)
    tr = run.loss_trace.reshape(K, chains, -1)
    conv = [convergence(tr[k][~div[k]]) for k in range(K)]
    llc = nb * (np.array([tr[k][~div[k]].mean() for k in range(K)]) - run.init_loss)
    diag = {"r_hat": np.array([c["r_hat"] for c in conv]), "ess": np.array([c["ess"] for c in conv]),
            "route": run.extra["oracle"], "hessian_max": h, "evaluation": how, "snapshots": int(S.shape[0]), "warnings": msgs,
            "diverged_chains": np.flatnonzero(run.diverged).tolist()}
    return DegradationResult(T, nb, np.asarray(eps), base, curves, chars, threshold, llc, diag)
