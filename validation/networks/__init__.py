r"""Your network, your check: the 1/width theory against a user's own torch MLP.

- :func:`check_network` -- one call: describe the network, predict, sample an ensemble with the same
  initialisation law in one batched program, compare (family-wise level) and plot;
- :func:`describe_network` -- the network read into the :class:`~validation.systems.MLP` system:
  architecture and every layer's measured initialisation law (:class:`DescribedNetwork`);
- :func:`network_checks` -- the underlying :class:`~validation.check.Check` objects (one per quantity), to
  register, run or calibrate like any other check.

Calibration (``benchmarks/wide_networks_check_network_calibration.py``, numbers in
``benchmarks/results/wide_networks_check_network_calibration.json``): two user networks with torch's default
(uniform) initialisation, ``nn.Sequential`` 5 -> 32 -> 32 -> 1 with ``nn.Tanh`` and with ``nn.ReLU``, three
inputs, ``ensemble_size=20_000``, 150 seeds each, every seed described and sampled afresh as
``check_network(..., seed=s)`` does, each quantity judged at 1e-3:

- **false fails** of the correct theory: ``check_network`` failed at 0 of 150 seeds for either network
  (family-wise bound 0.01; binomial p = 1); per quantity 0/150 at 1e-3 (95% Clopper-Pearson upper bound
  0.024), at most 2/150 at the reference level 0.01 and 5/150 at 0.05: the p-values are conservative, the
  truncation budget being subtracted;
- **power of the Gaussian-theory twin** (``gaussian_laws``): 150/150 for every quantity of the tanh network;
  for the ReLU network 150/150 for the excess kurtosis, 94/150 for the NTK mean, 2/150 for the covariance and
  0/150 for the output variance, which for ReLU does not depend on the laws at all
  (:math:`E\,\mathrm{relu}(z)^2 = E z^2/2` for any symmetric law), so that twin is no falsification of it;
- the scaled twins (variance and covariance 10% too large, NTK mean 2%, kurtosis +0.1) fail at 150/150, and
  ``infinite_width`` at 150/150 for the kurtosis but at most 1/150 for the variance, covariance and NTK mean,
  whose 1/width corrections these ensembles do not resolve at width 32.

Example::

    import torch
    from validation.networks import check_network

    def factory():
        return torch.nn.Sequential(torch.nn.Linear(10, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64),
                                   torch.nn.Tanh(), torch.nn.Linear(64, 1))

    res = check_network(factory, torch.randn(4, 10))
    print(res.passed, [(r["name"], r["p_value"]) for r in res.results])
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from numerics import validate as v
from validation.runner import DEFAULT_ALPHA_FAMILY, SuiteResult, run_suite

from ._checks import NetworkSampler, NetworkTheory, network_checks
from ._describe import (
    DescribedNetwork,
    check_inputs,
    describe_network,
    theory_activation,
)

__all__ = ["check_network", "describe_network", "network_checks", "DescribedNetwork", "NetworkTheory",
           "NetworkSampler", "theory_activation"]


def check_network(factory: Callable[[], torch.nn.Module], inputs: Any, *, ensemble_size: int = 100_000,
                  seed: int = 0, alpha: float | None = None, plots_dir: str | None = None) -> SuiteResult:
    """Check the 1/width theory on a user's own torch network at initialisation.

    Describes the network (architecture; each layer's weight and bias law measured from ``factory``,
    iid tested), predicts the output variance, excess kurtosis, covariance and mean NTK on ``inputs``
    (:func:`theory.wide_networks.network_moments`: any parameter laws, the first layer exact), samples
    ``ensemble_size`` networks with the described laws in one batched program (not by building modules)
    and compares each quantity at the family-wise level, like the suite runner.

    Parameters
    ----------
    factory
        Zero-argument callable returning a freshly initialised ``torch.nn.Module`` at every call: ``nn.Linear``
        layers and one elementwise activation (``nn.Tanh``, ``nn.ReLU``, ``nn.LeakyReLU``, ``nn.GELU``,
        ``nn.SiLU``, ``nn.Sigmoid``, ``nn.Identity`` or a user's elementwise module or function).
    inputs
        Array or tensor ``(P, d)``, ``d`` the network's input dimension, ``1 <= P <= 32``.
    ensemble_size
        Networks sampled (>= 1000).
    seed
        Seed of the description and of the ensemble (all quantities share one ensemble).
    alpha
        Family-wise error level across the quantities (default 0.01, as the suite); each quantity is judged
        at ``min(1e-3, alpha / m)`` (:func:`validation.runner.family_alpha`).
    plots_dir
        Folder for one plot per quantity (optional).

    Returns
    -------
    SuiteResult
        ``.passed`` is True exactly when every quantity passes; ``.results`` holds one record per quantity
        (name, prediction, estimate, p-value, verdict), ``.fresh`` the :class:`~validation.check.CheckResult` s.

    Raises
    ------
    TypeError, ValueError
        Before any sampling: a factory that is not callable or returns no ``nn.Module``; an unsupported layer,
        activation or graph (named, with what is supported); calls returning different architectures; inputs
        of the wrong dimension; non-iid or non-zero-mean parameters; an activation the theory cannot integrate.
    """
    v.function(factory, "factory")
    X0 = v.array(inputs, "inputs", ndim=2, min_size=1)
    ensemble_size = v.integer(ensemble_size, "ensemble_size", minimum=1000)
    seed = v.seed(seed)
    alpha_family = DEFAULT_ALPHA_FAMILY if alpha is None else v.real(alpha, "alpha", minimum=0.0, maximum=1.0,
                                                                      open_min=True, open_max=True)
    if plots_dir is not None and not isinstance(plots_dir, str):
        raise TypeError(f"plots_dir must be a folder name; got {v.describe(plots_dir)}")
    described = describe_network(factory, seed=seed, in_dim=X0.shape[1])
    X = check_inputs(X0, described.mlp.in_dim)
    sampler = NetworkSampler(described.mlp, X)
    checks = network_checks(described, X, ensemble_size=ensemble_size, sampler=sampler)
    for c in checks:  # the theory first: its errors (collinear inputs, a non-integrable activation) before sampling
        c.predict(c.quick)
    sampler.get(seed, ensemble_size, ntk=any(c.name.endswith(".ntk_mean") for c in checks))  # one ensemble for all
    return run_suite(checks, seed=seed, alpha_family=alpha_family, plots_dir=plots_dir,
                     check_seeds={c.name: seed for c in checks})
