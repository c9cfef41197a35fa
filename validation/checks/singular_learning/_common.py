"""Comparison rules and parameter declarations shared by the singular-learning checks.

Every estimate here is a mean over ``C`` independent chains (or replicates of chains) with
the across-chain standard error, so it is judged with Student's t on ``C - 1`` degrees of
freedom (``Estimate.diagnostics["dof"]``, one per component), never with a normal z.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from numerics.estimate import Estimate
from validation.check import Prediction
from validation.params import Param
from validation.stats import Comparison, compare_point

__all__ = ["t_point", "t_point_with_step_bias", "SAMPLING"]


def t_point(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    """The prediction against the across-chain mean, Student t with the estimate's ``dof``."""
    return compare_point(pred.value, est.value, est.stderr, truncation=pred.truncation, alpha=alpha,
                         dof=est.diagnostics["dof"])


def t_point_with_step_bias(pred: Prediction, est: Estimate, p: Mapping[str, Any], alpha: float) -> Comparison:
    r"""As :func:`t_point`, allowing the SGLD step-size bias :math:`b\,|\lambda|` on top of the theory's budget.

    ``b = est.diagnostics["step_size_bias"]`` bounds the relative inflation of the estimate in
    any direction, :math:`1/(1 - \epsilon A/4) - 1 \le \tfrac{\epsilon A_{\max}/4}{1 - \epsilon A_{\max}/4}`
    (exact on a quadratic loss; Welling & Teh 2011 with the AR(1) stationary variance).
    """
    bias = np.asarray(est.diagnostics["step_size_bias"], dtype=float) * np.abs(np.asarray(pred.value, dtype=float))
    return compare_point(pred.value, est.value, est.stderr, truncation=np.asarray(pred.truncation) + bias, alpha=alpha,
                         dof=est.diagnostics["dof"])


#: Declarations of the sampler parameters the checks share.
SAMPLING = {
    "gamma": Param("float", "localization strength gamma of the tempered posterior", minimum=0.0),
    "chains": Param("int", "independent chains (per model / temperature); the t test has chains - 1 dof", minimum=2),
    "draws": Param("int", "recorded steps per chain", minimum=1),
    "burn_in": Param("int", "discarded steps per chain, started at w*", minimum=0),
}
