r"""Laws of the standardised network parameters, and batched sampling from them.

The same law names as the theory (:data:`theory.wide_networks.LAW_NAMES`, kept identical by a test):
``"gaussian"`` :math:`N(0,1)`; ``"uniform"`` :math:`U(-\sqrt3,\sqrt3)` (torch's default ``nn.Linear``
initialisation, standardised); ``"rademacher"`` :math:`\pm1`; ``("student_t", nu)``
:math:`t_\nu\sqrt{(\nu-2)/\nu}` (:math:`\nu > 4`); ``("measured", x)``: the empirical law of the symmetrised
sample :math:`\pm x` scaled to unit second moment (sampled by drawing entries of it uniformly).  All have
mean 0 and variance 1; a layer's weights are :math:`\sqrt{C_W/n}` times them, its biases :math:`\sqrt{C_b}` times.

Sampling draws from one ``torch.Generator`` (Student t through a numpy generator seeded from it:
torch's gamma sampler takes no generator), so a seed fixes the whole ensemble.

References: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions* vol. 2 (1995), ch. 26, 28.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch

from numerics import validate as v

__all__ = ["LAW_NAMES", "ParamLaw", "param_law", "param_laws", "sample_law"]

LAW_NAMES = ("gaussian", "uniform", "rademacher", "student_t", "measured")
_MIN_MEASURED = 100


@dataclass(frozen=True, eq=False)
class ParamLaw:
    """A resolved standardised law (mean 0, variance 1, symmetric).

    Parameters
    ----------
    name : str
        One of :data:`LAW_NAMES`.
    kurtosis : float
        Excess kurtosis.
    nu : float, optional
        Degrees of freedom of ``"student_t"``.
    samples : numpy.ndarray, optional
        ``"measured"``: the sorted symmetrised sample scaled to unit second moment (read-only float64).
    """

    name: str
    kurtosis: float
    nu: float | None = None
    samples: np.ndarray | None = None

    @property
    def spec(self) -> Any:
        """The spec this law resolves from (``"uniform"``, ``("student_t", nu)``, ``("measured", samples)``)."""
        if self.name == "student_t":
            return ("student_t", self.nu)
        if self.name == "measured":
            return ("measured", self.samples)
        return self.name

    @property
    def label(self) -> str:
        """A short description."""
        if self.name == "student_t":
            return f"student_t({self.nu:g})"
        if self.name == "measured":
            return f"measured(k={self.kurtosis:.4g}, N={self.samples.size})"  # type: ignore[union-attr]
        return self.name

    @property
    def is_gaussian(self) -> bool:
        """Whether the law is the standard normal."""
        return self.name == "gaussian"


_NAMED = {"gaussian": 0.0, "uniform": -1.2, "rademacher": -2.0}


def param_law(law: Any, name: str = "law") -> ParamLaw:
    r"""Resolve a law spec (module docstring) into a :class:`ParamLaw`.

    Parameters
    ----------
    law
        ``"gaussian"``, ``"uniform"``, ``"rademacher"``, ``("student_t", nu)`` with :math:`\nu > 4`,
        ``("measured", samples)`` (at least 100 finite values, not all zero), or a :class:`ParamLaw`.
    name
        How the messages name the argument.

    Returns
    -------
    ParamLaw

    Raises
    ------
    TypeError
        Not a string, pair or ParamLaw; a non-numeric parameter.
    ValueError
        An unknown name, a missing parameter, :math:`\nu \le 4`, too few or all-zero samples.
    """
    if isinstance(law, ParamLaw):
        return law
    if isinstance(law, str):
        if law in ("student_t", "measured"):
            raise ValueError(f"{name}: {law!r} needs a parameter: pass ('student_t', nu) or ('measured', samples)")
        v.choice(law, name, LAW_NAMES[:3])
        return ParamLaw(law, _NAMED[law])
    if isinstance(law, tuple):
        if len(law) != 2 or not isinstance(law[0], str) or law[0] not in ("student_t", "measured"):
            raise ValueError(f"{name}: a tuple law must be ('student_t', nu) or ('measured', samples); got {law!r}")
        if law[0] == "student_t":
            nu = v.real(law[1], f"{name} nu", minimum=4.0, open_min=True)
            return ParamLaw("student_t", 6.0 / (nu - 4.0), nu=nu)
        x = v.array(law[1], f"{name} samples", ndim=1, min_size=_MIN_MEASURED)
        m2 = float(np.mean(x * x))
        if m2 <= 0:
            raise ValueError(f"{name}: the measured samples are all zero")
        s = np.sort(np.concatenate([x, -x]) / math.sqrt(m2))
        s.setflags(write=False)
        return ParamLaw("measured", float(np.mean(s ** 4)) - 3.0, samples=s)
    raise TypeError(f"{name} must be a law name, ('student_t', nu), ('measured', samples) or a ParamLaw; "
                    f"got {v.describe(law)}")


def param_laws(value: Any, length: int, name: str) -> tuple[ParamLaw, ...]:
    """One law per layer: a list of ``length`` specs, or one spec for every layer."""
    if isinstance(value, list):
        if len(value) != length:
            raise ValueError(f"{name} must have {length} entries (one per layer); got {len(value)}")
        return tuple(param_law(x, f"{name}[{i}]") for i, x in enumerate(value))
    if isinstance(value, Sequence) and not isinstance(value, (str, tuple)):
        raise TypeError(f"{name} must be a law or a list of laws; got {v.describe(value)}")
    law = param_law(value, name)
    return (law,) * length


def sample_law(law: ParamLaw, out: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Fill ``out`` in place with iid draws of the standardised ``law``; returns ``out``.

    Gaussian: ``torch.randn`` (the stream of the Gaussian ensembles before laws existed); uniform:
    ``uniform_(-sqrt 3, sqrt 3)``; Rademacher: ``bernoulli_(1/2)`` mapped to :math:`\\pm 1`; Student t:
    :math:`g/\\sqrt{\\chi^2_\\nu/\\nu}` rescaled (numpy generator seeded from ``generator``); measured: entries of
    the sample drawn uniformly (``torch.randint``).

    Parameters
    ----------
    law
        A resolved :class:`ParamLaw`.
    out
        A floating-point tensor to fill.
    generator
        The ``torch.Generator`` (on ``out``'s device).

    Returns
    -------
    torch.Tensor
        ``out``.

    Raises
    ------
    TypeError
        ``law`` not a ParamLaw, ``out`` not a floating tensor, ``generator`` not a torch.Generator.
    """
    if not isinstance(law, ParamLaw):
        raise TypeError(f"law must be a ParamLaw (param_law(spec)); got {v.describe(law)}")
    if not isinstance(out, torch.Tensor) or not out.is_floating_point():
        raise TypeError(f"out must be a floating-point torch.Tensor; got {v.describe(out)}")
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator; got {v.describe(generator)}")
    if law.name == "gaussian":
        return torch.randn(out.shape, generator=generator, out=out)
    if law.name == "uniform":
        r = math.sqrt(3.0)
        return out.uniform_(-r, r, generator=generator)
    if law.name == "rademacher":
        return out.bernoulli_(0.5, generator=generator).mul_(2.0).sub_(1.0)
    if law.name == "student_t":
        seed = int(torch.randint(0, 2 ** 62, (1,), generator=generator, device=generator.device).item())
        rng = np.random.default_rng(seed)
        nu = float(law.nu)  # type: ignore[arg-type]
        x = rng.standard_t(nu, size=tuple(out.shape)) * math.sqrt((nu - 2.0) / nu)
        return out.copy_(torch.from_numpy(x))
    s = torch.as_tensor(law.samples, dtype=out.dtype, device=out.device)
    idx = torch.randint(0, s.numel(), tuple(out.shape), generator=generator, device=generator.device)
    return out.copy_(s[idx.to(out.device)])
