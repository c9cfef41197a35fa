"""Ensembles of wide networks at initialisation and the statistics of their outputs.

- :func:`mlp_ensemble_outputs` -- outputs of many independently initialised MLPs, one batched
  tensor program (explicit weights, or exact function-space sampling);
- :func:`mlp_ensemble_forward` -- the stacked forward pass;
- :func:`module_ensemble_outputs` -- an ensemble of a user's ``torch.nn.Module`` (``vmap``);
- :func:`describe_module` -- a user's network read as plain data: its architecture and every layer's
  measured initialisation law (:class:`NetworkDescription`), for the fast route below;
- :func:`mlp_ensemble_sample` -- outputs, conditional moments and NTKs of an ensemble whose weights and
  biases follow given laws (:data:`LAW_NAMES`, :func:`param_law`), one batched program;
- estimators with computed standard errors: moment ratios, excess kurtosis, their
  Rao-Blackwellised versions, covariances and joint fourth cumulants.

References: Neal, *Bayesian Learning for Neural Networks* (1996), ch. 2; Lee et al., ICLR 2018;
Roberts, Yaida & Hanin, *The Principles of Deep Learning Theory* (2022), ch. 4.
"""

from numerics.wide_networks._describe import LayerDescription, NetworkDescription, describe_module
from numerics.wide_networks._ensemble import mlp_ensemble_forward, mlp_ensemble_outputs, module_ensemble_outputs
from numerics.wide_networks._laws import LAW_NAMES, ParamLaw, param_law, sample_law
from numerics.wide_networks._param_stats import ParamDescription
from numerics.wide_networks._sample import EnsembleSample, mlp_ensemble_sample
from numerics.wide_networks._stats import (
    conditional_fourth_cumulant_estimate,
    conditional_moment_ratio_estimate,
    conditional_moments_estimate,
    covariance_estimate,
    excess_kurtosis_estimate,
    fourth_cumulant_estimate,
    integrated_moments_estimate,
    moment_ratio_estimate,
)

__all__ = [
    "mlp_ensemble_outputs",
    "mlp_ensemble_forward",
    "module_ensemble_outputs",
    "mlp_ensemble_sample",
    "EnsembleSample",
    "describe_module",
    "NetworkDescription",
    "LayerDescription",
    "ParamDescription",
    "LAW_NAMES",
    "ParamLaw",
    "param_law",
    "sample_law",
    "moment_ratio_estimate",
    "excess_kurtosis_estimate",
    "conditional_moments_estimate",
    "conditional_moment_ratio_estimate",
    "covariance_estimate",
    "fourth_cumulant_estimate",
    "conditional_fourth_cumulant_estimate",
    "integrated_moments_estimate",
]
