r"""Singular learning theory, measured: batched Langevin samplers, the local learning coefficient, models and data.

* :func:`sample_local_posterior` -- SGLD, RMSProp-SGLD or MALA chains on the localized tempered
  posterior :math:`\propto \exp(-n\beta L_n(w) - \tfrac\gamma2|w - w^*|^2)`, all chains one tensor program;
* :func:`estimate_llc`, :func:`degradation_sweep` -- the local learning coefficient
  :math:`\hat\lambda = n\beta(E[L_n] - L_n(w^*))` of any ``nn.Module`` with any loss and data (tensors
  or an iterable of batches), with its diagnostics (R-hat, ESS, step, localization shift), and
  the excess loss against temperature;
* :func:`degradation_experiment` -- behaviours of a trained network on its tempered local
  posterior over a temperature ladder, with characteristic temperatures (:class:`DegradationResult`);
* :class:`ToyModelOfSuperposition`, :func:`tms_data`, :func:`tms_kgon`, :func:`modular_addition_mlp`,
  :func:`modular_addition_data`, :func:`train_classifier` -- two toy models;
* :func:`hessian_max_eigenvalue` -- the stiffest curvature (sets the step size and its bias);
* :class:`DeepLinearNetwork`, :class:`NormalCrossingModel`, :class:`QuadraticModel`, :func:`mse`;
* :func:`deep_linear_teacher_student`, :func:`compress_linear_data`, :func:`normal_crossing_data`,
  :func:`quadratic_data`, :func:`train_to_minimum`.

References: Watanabe, *Algebraic Geometry and Statistical Learning Theory* (2009); Lau, Furman,
Wang, Murfet & Wei, arXiv:2308.12108; Welling & Teh, ICML 2011 (SGLD); Roberts & Tweedie,
Bernoulli 2 (1996) (MALA); Aoyagi, Neural Networks 172 (2024) (deep linear networks).
"""

from __future__ import annotations

from numerics.singular_learning._data import (
    compress_linear_data,
    deep_linear_teacher_student,
    normal_crossing_data,
    quadratic_data,
)
from numerics.singular_learning._degradation import DegradationResult, characteristic_temperature, degradation_experiment
from numerics.singular_learning._hessian import hessian_max_eigenvalue
from numerics.singular_learning._llc import degradation_sweep, estimate_llc
from numerics.singular_learning._models import (
    DeepLinearNetwork,
    NormalCrossingModel,
    QuadraticModel,
    mse,
)
from numerics.singular_learning._samplers import SamplerRun, sample_local_posterior
from numerics.singular_learning._toys import (
    ToyModelOfSuperposition,
    modular_addition_data,
    modular_addition_mlp,
    tms_data,
    tms_kgon,
    train_classifier,
)
from numerics.singular_learning._training import train_to_minimum

__all__ = [
    "SamplerRun",
    "sample_local_posterior",
    "estimate_llc",
    "degradation_sweep",
    "hessian_max_eigenvalue",
    "DeepLinearNetwork",
    "NormalCrossingModel",
    "QuadraticModel",
    "mse",
    "deep_linear_teacher_student",
    "compress_linear_data",
    "normal_crossing_data",
    "quadratic_data",
    "train_to_minimum",
    "degradation_experiment",
    "DegradationResult",
    "characteristic_temperature",
    "ToyModelOfSuperposition",
    "tms_data",
    "tms_kgon",
    "modular_addition_mlp",
    "modular_addition_data",
    "train_classifier",
]
