r"""Laws of the standardised network parameters (weights and biases) for the 1/width theory.

A layer's weights are :math:`W_{ij} = \sqrt{C_W/n}\,w_{ij}` and its biases :math:`b_i = \sqrt{C_b}\,\beta_i` with
iid standardised :math:`w, \beta` (mean 0, variance 1, symmetric).  The 1/width theory needs of a hidden
layer's law only its excess kurtosis :math:`k = E w^4 - 3` (finite fourth moment); the first layer, a sum
over the few input coordinates, is treated exactly and needs the whole law (its inverse CDF, or a
quadrature rule that represents it).  The laws (the numerics layer keeps the same names in its sampler,
:data:`numerics.wide_networks.LAW_NAMES`; a test keeps the two identical):

========================  ===============================================  =======================
name                      standardised law                                 excess kurtosis
========================  ===============================================  =======================
``"gaussian"``            :math:`N(0, 1)`                                  0
``"uniform"``             :math:`U(-\sqrt3, \sqrt3)` (torch's default)     :math:`-6/5`
``"rademacher"``          :math:`\pm 1` with probability 1/2 each          :math:`-2`
``("student_t", nu)``     :math:`t_\nu\sqrt{(\nu-2)/\nu}`, :math:`\nu > 4`  :math:`6/(\nu - 4)`
``("measured", x)``       the empirical law of the symmetrised sample      its sample value
                          :math:`\pm x` scaled to unit second moment
========================  ===============================================  =======================

References: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions* vol. 2 (1995), ch. 26
(uniform) and ch. 28 (Student t); Roberts, Yaida & Hanin (2022), sec. 2.3 (the parameterisation).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from scipy import special

from theory import validate as v

__all__ = ["LAW_NAMES", "Law", "LawSpec", "resolve_law", "law_list"]

LAW_NAMES = ("gaussian", "uniform", "rademacher", "student_t", "measured")

LawSpec = Any  # str | ("student_t", nu) | ("measured", samples) | Law

_MIN_MEASURED = 100


@dataclass(frozen=True, eq=False)
class Law:
    r"""A resolved standardised law (mean 0, variance 1, symmetric).

    Parameters
    ----------
    name
        One of :data:`LAW_NAMES`.
    kurtosis
        Excess kurtosis :math:`E w^4 - 3`.
    nu
        Degrees of freedom of ``"student_t"`` (else ``None``).
    samples
        ``"measured"``: the sorted symmetrised sample, scaled to unit second moment (read-only).
    """

    name: str
    kurtosis: float
    nu: float | None = None
    samples: np.ndarray | None = None

    @property
    def label(self) -> str:
        """A short description (``"uniform"``, ``"student_t(10)"``, ``"measured(k=-1.19, N=...)"``)."""
        if self.name == "student_t":
            return f"student_t({self.nu:g})"
        if self.name == "measured":
            return f"measured(k={self.kurtosis:.4g}, N={self.samples.size})"  # type: ignore[union-attr]
        return self.name

    @property
    def is_gaussian(self) -> bool:
        """Whether this is the standard normal law."""
        return self.name == "gaussian"

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The inverse distribution function (the quantile function).

        Parameters
        ----------
        u
            Probabilities in (0, 1).

        Returns
        -------
        numpy.ndarray
            The quantiles, of ``u``'s shape.
        """
        u = np.asarray(u, dtype=float)
        if self.name == "gaussian":
            return special.ndtri(u)
        if self.name == "uniform":
            return math.sqrt(3.0) * (2.0 * u - 1.0)
        if self.name == "rademacher":
            return np.where(u < 0.5, -1.0, 1.0)
        if self.name == "student_t":
            nu = float(self.nu)  # type: ignore[arg-type]
            return special.stdtrit(nu, u) * math.sqrt((nu - 2.0) / nu)
        x = self.samples
        assert x is not None
        idx = np.clip(np.ceil(u * x.size).astype(np.int64) - 1, 0, x.size - 1)
        return x[idx]

    def rule(self, order: int) -> tuple[np.ndarray, np.ndarray] | None:
        """A quadrature rule ``(nodes, weights)`` for this law, or ``None`` when it has none.

        Parameters
        ----------
        order
            Nodes of the Gauss rule (continuous laws).

        Returns
        -------
        tuple of numpy.ndarray or None
            Nodes and weights (summing to 1).

        Gauss-Hermite (gaussian) and Gauss-Legendre (uniform) rules of ``order`` nodes, exact for
        polynomials of degree ``2 order - 1`` (Golub & Welsch 1969); the two atoms of the Rademacher law
        (exact for every function).  Student t and measured laws have none (their expectations are
        computed by quasi-Monte Carlo).
        """
        if self.name == "gaussian":
            x, w = _hermite(order)
            return x, w
        if self.name == "uniform":
            x, w = np.polynomial.legendre.leggauss(order)
            return math.sqrt(3.0) * x, w / 2.0
        if self.name == "rademacher":
            return np.array([-1.0, 1.0]), np.array([0.5, 0.5])
        return None

    @property
    def exact_rule(self) -> bool:
        """Whether :meth:`rule` is exact for every function (a discrete law)."""
        return self.name == "rademacher"


@functools.lru_cache(maxsize=16)
def _hermite(order: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.hermite_e.hermegauss(order)
    return x, w / math.sqrt(2 * math.pi)


@functools.lru_cache(maxsize=8)
def _named(name: str) -> Law:
    return Law(name, {"gaussian": 0.0, "uniform": -1.2, "rademacher": -2.0}[name])


def _measured(samples: Any, name: str) -> Law:
    x = v.array(samples, f"{name} samples", ndim=1, min_size=_MIN_MEASURED)
    m2 = float(np.mean(x * x))
    if m2 <= 0:
        raise ValueError(f"{name}: the measured samples are all zero (a zero-variance law has no shape)")
    s = np.sort(np.concatenate([x, -x]) / math.sqrt(m2))
    s.setflags(write=False)
    return Law("measured", float(np.mean(s ** 4)) - 3.0, samples=s)


def resolve_law(law: LawSpec, name: str = "law") -> Law:
    r"""Resolve a law spec into a :class:`Law`.

    Parameters
    ----------
    law
        ``"gaussian"``, ``"uniform"``, ``"rademacher"``, ``("student_t", nu)`` with :math:`\nu > 4` (a finite
        fourth moment), ``("measured", samples)`` with at least 100 finite samples (their symmetrised empirical
        law, scaled to unit second moment, is the law), or a :class:`Law` (returned as is).
    name
        How the messages name the argument.

    Returns
    -------
    Law

    Raises
    ------
    TypeError
        Not a string, pair or :class:`Law`; a non-numeric ``nu`` or sample.
    ValueError
        An unknown name, ``"student_t"`` without ``nu``, :math:`\nu \le 4`, too few or all-zero samples.

    References
    ----------
    Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions* vol. 2 (1995), ch. 26 and 28.
    """
    if isinstance(law, Law):
        return law
    if isinstance(law, str):
        if law in ("student_t", "measured"):
            raise ValueError(f"{name}: {law!r} needs a parameter: pass ('student_t', nu) or ('measured', samples)")
        return _named(v.choice(law, name, LAW_NAMES[:3]))
    if isinstance(law, tuple):
        if len(law) != 2 or not isinstance(law[0], str) or law[0] not in ("student_t", "measured"):
            raise ValueError(f"{name}: a tuple law must be ('student_t', nu) or ('measured', samples); got {law!r}")
        if law[0] == "student_t":
            nu = v.real(law[1], f"{name} nu", minimum=4.0, open_min=True)
            return Law("student_t", 6.0 / (nu - 4.0), nu=nu)
        return _measured(law[1], name)
    raise TypeError(f"{name} must be a law name, ('student_t', nu), ('measured', samples) or a Law; "
                    f"got {v.describe(law)}")


def law_list(value: Any, length: int, name: str) -> tuple[Law, ...]:
    """One law per layer: a list of ``length`` specs, or one spec (a string, a pair, a Law) for every layer."""
    if isinstance(value, list):
        if len(value) != length:
            raise ValueError(f"{name} must have {length} entries (one per layer); got {len(value)}")
        return tuple(resolve_law(x, f"{name}[{i}]") for i, x in enumerate(value))
    if isinstance(value, Sequence) and not isinstance(value, (str, tuple)):
        raise TypeError(f"{name} must be a law or a list of laws; got {v.describe(value)}")
    law = resolve_law(value, name)
    return (law,) * length
