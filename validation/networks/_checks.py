r"""The checks of a user's network: one :class:`~validation.check.Check` per quantity.

For a described network (:func:`~validation.networks.describe_network`) and inputs :math:`x_1..x_P`:

``<name>.output_variance``
    :math:`E z(x_a)^2` against :math:`K + G` (:func:`theory.wide_networks.network_moments`);
``<name>.excess_kurtosis``
    :math:`E z^4/(E z^2)^2 - 3` per input against :math:`(3V + e)/K^2`;
``<name>.covariance`` (two or more inputs)
    :math:`E z(x_a)z(x_b)`, :math:`a < b`, against :math:`K_{ab} + G_{ab}`;
``<name>.ntk_mean`` (at most two hidden layers, an activation with a derivative)
    the mean empirical NTK at initialisation (standard parameterisation, rates :math:`\eta/n_{l-1}` on
    weights) against the 1/width NTK mean.

The measurement samples ``ensemble_size`` networks with the described laws in one batched program
(:func:`numerics.wide_networks.mlp_ensemble_sample`, never calling theory) and Rao-Blackwellises the last
layer: :math:`E z_az_b = E\Sigma_{ab}`, :math:`E z_a^4 = E[3\Sigma_{aa}^2 + Q_a]` with the conditional covariance
and fourth cumulant given the last hidden layer (exact for any last-layer law).  The checks of one network
share their ensemble when run with one seed (:func:`~validation.networks.check_network` does).  Comparisons:
normal z per component (means over >= 1000 iid members), Bonferroni over components, the theory's
truncation budget subtracted (:func:`validation.stats.compare_point`).

Twins: ``gaussian_laws`` (the law-blind theory: every weight and bias Gaussian with the same variances;
declared when some law is not Gaussian), ``infinite_width`` (no 1/width corrections) and a scaled one.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping

import numpy as np

from numerics.estimate import Estimate, mean_estimate
from numerics.wide_networks import (
    EnsembleSample,
    conditional_moments_estimate,
    mlp_ensemble_sample,
)
from theory.wide_networks import NetworkMoments, network_moments
from validation.check import Check, Display, Prediction, Twin
from validation.params import Param
from validation.stats import Comparison, compare_point
from validation.systems import MLP

from ._describe import DescribedNetwork, theory_activation

__all__ = ["network_checks", "NetworkTheory", "NetworkSampler"]

SCHEMA = {"ensemble_size": Param("int", "networks sampled with the described laws (one batched program)", minimum=1000)}


class NetworkTheory:
    """The theory of one network on its inputs, computed once per law variant (``"laws"`` or ``"gaussian"``).

    Parameters
    ----------
    mlp
        The network.
    X
        Its inputs ``(P, d)``.
    ntk
        Whether the NTK mean is predicted too.
    """

    def __init__(self, mlp: MLP, X: np.ndarray, ntk: bool) -> None:
        self.mlp, self.X, self.ntk = mlp, X, ntk
        self._cache: dict[str, NetworkMoments] = {}

    def get(self, variant: str = "laws") -> NetworkMoments:
        """The theory with the described laws (``"laws"``) or with every law Gaussian (``"gaussian"``).

        Parameters
        ----------
        variant
            ``"laws"`` or ``"gaussian"``.

        Returns
        -------
        NetworkMoments
            :func:`theory.wide_networks.network_moments` on the inputs.
        """
        if variant not in self._cache:
            m = self.mlp
            wl, bl = m.law_specs if variant == "laws" else ("gaussian", "gaussian")
            self._cache[variant] = network_moments(self.X, theory_activation(m.activation), m.hidden_widths,
                                                   list(m.weight_variances), list(m.bias_variances),
                                                   weight_laws=wl, bias_laws=bl, ntk=self.ntk)
        return self._cache[variant]


class NetworkSampler:
    """The measured ensemble of one network, kept for the last ``(seed, ensemble_size)`` (shared by its checks).

    Members are drawn in chunks of :data:`CHUNK`, so the same ``(seed, ensemble_size)`` gives the same networks
    with or without their NTKs: a check that needs no NTK does not pay for it, and one that does sees the
    networks the others saw.

    Parameters
    ----------
    mlp
        The network.
    X
        Its inputs ``(P, d)``.
    """

    CHUNK = 512

    def __init__(self, mlp: MLP, X: np.ndarray) -> None:
        self.mlp, self.X = mlp, X
        self._key: tuple[int, int] | None = None
        self._sample: EnsembleSample | None = None
        self.seconds = 0.0

    def get(self, seed: int, size: int, ntk: bool = False) -> EnsembleSample:
        """The ensemble of ``size`` networks drawn with ``seed`` (sampled on first request; NTKs when asked).

        Parameters
        ----------
        seed, size
            The generator's seed and the number of members.
        ntk
            Whether the empirical NTKs are needed.

        Returns
        -------
        EnsembleSample
            Outputs, conditional moments and (when asked, or already computed) NTKs.
        """
        if self._key != (seed, size) or (ntk and self._sample is not None and self._sample.ntk is None):
            t0 = time.perf_counter()
            m = self.mlp
            wl, bl = m.law_specs
            self._sample = mlp_ensemble_sample(self.X, m.hidden_widths, m.activation, list(m.weight_variances),
                                               list(m.bias_variances), ensemble_size=size, seed=seed,
                                               weight_laws=wl, bias_laws=bl, ntk=ntk, chunk_size=self.CHUNK)
            self._key, self.seconds = (seed, size), time.perf_counter() - t0
        assert self._sample is not None
        return self._sample


def _compare(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha)


def _pairs(P: int, diagonal: bool) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(P, 0 if diagonal else 1)


_QUANTITIES: dict[str, dict[str, Any]] = {
    "output_variance": {"display": "output variance E z(x_a)^2", "scale": 1.1, "what": "the output variance"},
    "excess_kurtosis": {"display": "output excess kurtosis", "shift": 0.1, "what": "the excess kurtosis"},
    "covariance": {"display": "output covariance E z(x_a) z(x_b), a < b", "scale": 1.1, "what": "the covariance"},
    "ntk_mean": {"display": "mean NTK at initialisation (standard parameterisation)", "scale": 1.02,
                 "what": "the mean NTK"},
}


def _theory_values(r: NetworkMoments, q: str, P: int, infinite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    if q == "output_variance":
        return (np.diag(r.kernel).copy() if infinite else r.variance), r.variance_truncation
    if q == "excess_kurtosis":
        return (np.zeros(P) if infinite else r.excess_kurtosis), r.kurtosis_truncation
    if q == "covariance":
        iu = _pairs(P, False)
        return (r.kernel if infinite else r.covariance)[iu], r.covariance_truncation[iu]
    iu = _pairs(P, True)
    return (r.ntk_infinite if infinite else r.ntk)[iu], r.ntk_truncation[iu]  # type: ignore[index]


def _measured(s: EnsembleSample, q: str, P: int, seed: int, seconds: float) -> Estimate:
    if q == "excess_kurtosis":
        ests = [conditional_moments_estimate(s.conditional_covariance[:, a, a], s.conditional_fourth_cumulant[:, a])
                for a in range(P)]
        return Estimate(np.array([e.value[1] for e in ests]), np.array([e.stderr[1] for e in ests]), ests[0].samples,
                        seed=seed, seconds=seconds, method=ests[0].method)
    if q == "output_variance":
        x = np.einsum("eaa->ea", s.conditional_covariance)
    elif q == "covariance":
        x = s.conditional_covariance[(slice(None), *_pairs(P, False))]
    else:
        x = s.ntk[(slice(None), *_pairs(P, True))]  # type: ignore[index]
    e = mean_estimate(x)
    return Estimate(e.value, e.stderr, e.samples, seed=seed, seconds=seconds,
                    method="Rao-Blackwellised over the last layer" if q != "ntk_mean" else e.method)


def _labels(q: str, P: int) -> tuple[str, ...]:
    if q in ("output_variance", "excess_kurtosis"):
        return tuple(f"x{a}" for a in range(P))
    return tuple(f"(x{a}, x{b})" for a, b in zip(*_pairs(P, q == "ntk_mean")))


def _predict_fn(theory: NetworkTheory, q: str, P: int, variant: str = "laws", infinite: bool = False,
                scale: float = 1.0, shift: float = 0.0) -> Callable[[Mapping[str, Any]], Prediction]:
    def predict(p: Mapping[str, Any]) -> Prediction:
        r = theory.get(variant)
        val, tr = _theory_values(r, q, P, infinite)
        val = np.asarray(val, float) * scale + shift
        return Prediction(val, np.asarray(tr, float), summary=dict(zip(_labels(q, P), map(float, val))),
                          extra={"first_layer": r.first_layer})

    return predict


def network_checks(described: DescribedNetwork, X: np.ndarray, *, ensemble_size: int = 100_000,
                   name: str = "network", sampler: NetworkSampler | None = None) -> list[Check]:
    """The checks of one described network on inputs ``X`` (module docstring); not registered.

    Parameters
    ----------
    described
        The network (:func:`~validation.networks.describe_network`).
    X
        Inputs ``(P, d)`` (validated by the caller).
    ensemble_size
        Members per measurement (the quick set; the full set has four times as many).
    name
        The area and prefix of the check names (``"network"``: ``network.output_variance`` ...).
    sampler
        The measured ensembles (default: a new :class:`NetworkSampler`); pass one to share or prepare it.

    Returns
    -------
    list of Check
        Variance, kurtosis, covariance (P >= 2) and NTK mean (when the theory provides it).
    """
    mlp = described.mlp
    P = X.shape[0]
    ntk = mlp.depth <= 3 and mlp.activation not in ("step", "sign")
    theory = NetworkTheory(mlp, X, ntk)
    sampler = NetworkSampler(mlp, X) if sampler is None else sampler
    quantities = ["output_variance", "excess_kurtosis"] + (["covariance"] if P >= 2 else []) + (["ntk_mean"] if ntk else [])
    checks = []
    for q in quantities:
        info = _QUANTITIES[q]

        def measure(p: Mapping[str, Any], seed: int, q: str = q) -> Estimate:
            t0 = time.perf_counter()
            s = sampler.get(int(seed), int(p["ensemble_size"]), ntk=q == "ntk_mean")
            return _measured(s, q, P, int(seed), time.perf_counter() - t0)

        twins = []
        if not mlp.gaussian:
            twins.append(Twin("gaussian_laws", "the Gaussian-weight theory: every weight and bias law taken Gaussian "
                                               "(same variances)", _predict_fn(theory, q, P, variant="gaussian")))
        twins.append(Twin("infinite_width", "no 1/width corrections (the infinite-width value)",
                          _predict_fn(theory, q, P, infinite=True)))
        if "scale" in info:
            twins.append(Twin(f"x{info['scale']:g}", f"{info['what']} {100 * (info['scale'] - 1):g}% too large",
                              _predict_fn(theory, q, P, scale=info["scale"])))
        else:
            twins.append(Twin(f"plus{info['shift']:g}", f"{info['what']} {info['shift']:g} too large",
                              _predict_fn(theory, q, P, shift=info["shift"])))
        checks.append(Check(
            f"{name}.{q}", name, f"{info['display']} of the described network vs the 1/width theory (any laws)",
            _predict_fn(theory, q, P), measure, _compare,
            quick={"ensemble_size": ensemble_size}, full={"ensemble_size": 4 * ensemble_size},
            schema=SCHEMA, twins=tuple(twins),
            display=Display(info["display"], kind="point", labels=_labels(q, P)),
        ))
    return checks
