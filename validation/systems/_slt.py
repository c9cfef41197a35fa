r"""Singular-learning systems: what the ``singular_learning`` checks sample, defined once.

* :class:`DeepLinearTeacherStudent` -- a deep linear student trained to a rank-``r`` teacher on
  ``n`` noise-free rows, its data compressed exactly, and the SGLD step set from the measured
  top Hessian eigenvalue;
* :class:`NormalCrossingSystem` -- the model :math:`K(w) = \prod_j w_j^{2k_j}` on standardised data;
* :class:`QuadraticSystem` -- linear regression with a chosen Hessian (an exactly quadratic loss).

``predict`` reads the theory's arguments off a system (widths, rank, powers, curvatures,
temperature, localization); ``measure`` builds the same system's model and data with
:meth:`build` (numerics only).  The two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from numerics import validate as v
from numerics.singular_learning import (
    DeepLinearNetwork,
    NormalCrossingModel,
    QuadraticModel,
    compress_linear_data,
    deep_linear_teacher_student,
    hessian_max_eigenvalue,
    mse,
    normal_crossing_data,
    quadratic_data,
)

__all__ = ["DeepLinearTeacherStudent", "TrainedStudent", "NormalCrossingSystem", "QuadraticSystem"]


@dataclass(frozen=True)
class TrainedStudent:
    """A built :class:`DeepLinearTeacherStudent`: the student at :math:`w^*`, its compressed data and measured curvature.

    Parameters
    ----------
    net : DeepLinearNetwork
        The trained student; its parameters are :math:`w^*`.
    data : tuple of torch.Tensor
        ``(X', Y')``: the teacher data compressed exactly to ``input`` rows
        (:func:`numerics.singular_learning.compress_linear_data`; the loss differs by a constant only).
    hessian_max : float
        The measured top eigenvalue :math:`h_{\\max}` of the loss's Hessian at :math:`w^*`.
    step_scale : float
        :math:`s \\in (0, 2)`, as in :class:`DeepLinearTeacherStudent`.
    gamma : float
        Localization :math:`\\gamma \\ge 0`.
    """

    net: DeepLinearNetwork
    data: tuple[torch.Tensor, torch.Tensor]
    hessian_max: float
    step_scale: float
    gamma: float

    def step_for(self, n_beta: float) -> float:
        r"""The SGLD step at temperature :math:`n\beta`: :math:`\epsilon = s/(n\beta h_{\max} + \gamma)`.

        Parameters
        ----------
        n_beta : float
            :math:`n\beta > 0`, with :math:`n` the original number of rows (not the compressed one).

        Returns
        -------
        float
            The step :math:`\epsilon > 0`.
        """
        return self.step_scale / (v.real(n_beta, "n_beta", minimum=0.0, open_min=True) * self.hessian_max + self.gamma)


@dataclass(frozen=True)
class DeepLinearTeacherStudent:
    r"""A deep linear network trained to a rank-``rank`` teacher; SGLD at :math:`\epsilon = s/(n\beta h_{\max} + \gamma)`.

    Parameters
    ----------
    widths
        ``(input, hidden..., output)``.
    rank
        The teacher's rank :math:`r \le \min` widths.
    n
        Rows of noise-free teacher data (compressed exactly to ``input`` rows, so the posterior
        and the LLC are those of ``n`` rows at a fraction of the cost).
    gamma
        Localization :math:`\gamma`.
    step_scale
        :math:`s = \epsilon(n\beta h_{\max} + \gamma)` at every temperature, in :math:`(0, 2)` so that
        the doubled step of the extrapolation is stable too (:math:`2\epsilon A < 4`); the relative
        step-size bias of any direction is at most :math:`\tfrac{s/4}{1 - s/4}` at :math:`\epsilon`
        (exact on a quadratic loss; Welling & Teh 2011), the same bound at every temperature.
    """

    widths: tuple[int, ...]
    rank: int
    n: int
    gamma: float
    step_scale: float

    def __post_init__(self) -> None:
        ws = v.integers(self.widths, "widths", minimum=1, min_length=2)
        object.__setattr__(self, "widths", ws)
        object.__setattr__(self, "rank", v.integer(self.rank, "rank", minimum=0, maximum=min(ws)))
        object.__setattr__(self, "n", v.integer(self.n, "n", minimum=max(ws[0], 2)))
        object.__setattr__(self, "gamma", v.real(self.gamma, "gamma", minimum=0.0))
        object.__setattr__(self, "step_scale", v.real(self.step_scale, "step_scale", minimum=0.0, maximum=2.0,
                                                      open_min=True, open_max=True))

    @property
    def step_size_bias(self) -> float:
        r"""Bound :math:`\tfrac{q}{1 - q}`, :math:`q = s/4`, on the relative bias of SGLD at the step :math:`\epsilon`.

        On a quadratic loss a direction with :math:`\epsilon A/4 = x \le q` is inflated by exactly
        :math:`1/(1 - x)` (Welling & Teh 2011; the AR(1) stationary variance).
        """
        q = self.step_scale / 4
        return q / (1 - q)

    @property
    def extrapolated_bias(self) -> float:
        r"""Bound on the relative bias left by Richardson extrapolation :math:`2\hat\lambda(\epsilon) - \hat\lambda(2\epsilon)`.

        Per quadratic direction the extrapolated inflation is
        :math:`2/(1-x) - 1/(1-2x) = 1 - 2x^2/((1-x)(1-2x))`, so with :math:`x \le q = s/4` the
        relative bias is at most :math:`2q^2/((1-q)(1-2q))` (0.085% at :math:`s = 0.08`), and of one
        sign (the estimate is low by at most that).  The first-order step error of any smooth
        potential cancels (Talay & Tubaro, Stoch. Anal. Appl. 8 (1990) 483).
        """
        q = self.step_scale / 4
        return 2 * q * q / ((1 - q) * (1 - 2 * q))

    def build(self, seed: int) -> TrainedStudent:
        """Train the student (``seed``), compress the data and measure the top Hessian eigenvalue.

        Parameters
        ----------
        seed : int
            Seed of the teacher, the data, the student's perturbation and the eigenvalue iteration.

        Returns
        -------
        TrainedStudent
            The student at :math:`w^*` with its compressed data, :math:`h_{\\max}`, ``step_scale`` and ``gamma``.
        """
        net, data = deep_linear_teacher_student(self.widths, self.rank, self.n, seed=seed)
        data, _ = compress_linear_data(data)  # same loss up to a constant: same posterior, p rows instead of n
        h = hessian_max_eigenvalue(net, mse, data, seed=seed)
        return TrainedStudent(net, data, h, self.step_scale, self.gamma)


@dataclass(frozen=True)
class NormalCrossingSystem:
    r"""The normal-crossing model :math:`K(w) = \prod_j w_j^{2k_j}` (flat prior times Gaussian localization).

    Parameters
    ----------
    powers
        :math:`k_j \ge 0`, one positive.
    rows
        Rows of standardised data (the loss is exactly :math:`K` for any number of rows).
    """

    powers: tuple[int, ...]
    rows: int = 16

    def __post_init__(self) -> None:
        ks = v.integers(self.powers, "powers", minimum=0)
        if max(ks) == 0:
            raise ValueError(f"powers must contain a positive exponent; got {list(ks)}")
        object.__setattr__(self, "powers", ks)
        object.__setattr__(self, "rows", v.integer(self.rows, "rows", minimum=1))

    def build(self, seed: int) -> tuple[NormalCrossingModel, tuple[torch.Tensor, torch.Tensor]]:
        """The model at :math:`w^* = 0` and its data.

        Parameters
        ----------
        seed : int
            Seed of the data (the model has no random part).

        Returns
        -------
        tuple
            ``(model, (X, Y))``: a new :class:`~numerics.singular_learning.NormalCrossingModel` (float64) and
            ``rows`` standardised inputs with zero targets, both ``(rows, 1)``.
        """
        return NormalCrossingModel(self.powers), normal_crossing_data(self.rows, seed=seed)


@dataclass(frozen=True)
class QuadraticSystem:
    r"""Linear regression whose loss is exactly :math:`\tfrac12\sum_i h_i w_i^2` (minimum at 0).

    Parameters
    ----------
    curvatures
        The Hessian's eigenvalues :math:`h_i \ge 0`.
    rows
        Rows of data (>= ``len(curvatures)``).
    """

    curvatures: tuple[float, ...]
    rows: int = 64

    def __post_init__(self) -> None:
        h = v.reals(self.curvatures, "curvatures", minimum=0.0)
        object.__setattr__(self, "curvatures", h)
        object.__setattr__(self, "rows", v.integer(self.rows, "rows", minimum=len(h)))

    def build(self, seed: int) -> tuple[QuadraticModel, tuple[torch.Tensor, torch.Tensor]]:
        """The model at :math:`w^* = 0` and data with exactly the given Hessian.

        Parameters
        ----------
        seed : int
            Seed of the data's random rotation (the model has no random part).

        Returns
        -------
        tuple
            ``(model, (X, Y))``: a new :class:`~numerics.singular_learning.QuadraticModel` (float64) and the data,
            ``X`` of shape ``(rows, len(curvatures))`` and ``Y = 0`` of shape ``(rows, 1)``.
        """
        return QuadraticModel(len(self.curvatures)), quadratic_data(self.curvatures, self.rows, seed=seed)


def networks_param(value: Any, name: str) -> tuple[tuple[tuple[int, ...], int], ...]:
    """Validate ``((widths, rank), ...)`` given in a check's parameters.

    Parameters
    ----------
    value : object
        The parameter's value: a non-empty sequence of ``(widths, rank)`` pairs, ``widths`` at least two
        ints >= 1 and ``0 <= rank <= min(widths)``.
    name : str
        The parameter's name, used in the error messages.

    Returns
    -------
    tuple
        ``((widths, rank), ...)`` with ``widths`` a tuple of int and ``rank`` an int.

    Raises
    ------
    TypeError, ValueError
        Not such a sequence, or a width or rank out of range.
    """
    if not isinstance(value, (tuple, list)) or not value:
        raise TypeError(f"{name} must be a non-empty sequence of (widths, rank) pairs; got {v.describe(value)}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(f"{name}[{i}] must be a (widths, rank) pair; got {v.describe(item)}")
        ws = v.integers(item[0], f"{name}[{i}] widths", minimum=1, min_length=2)
        out.append((ws, v.integer(item[1], f"{name}[{i}] rank", minimum=0, maximum=min(ws))))
    return tuple(out)


def powers_list_param(value: Any, name: str) -> tuple[tuple[int, ...], ...]:
    """Validate a non-empty sequence of normal-crossing power tuples given in a check's parameters.

    Parameters
    ----------
    value : object
        The parameter's value: a non-empty sequence of sequences of ints :math:`k_j \\ge 0`, each with a positive one.
    name : str
        The parameter's name, used in the error messages.

    Returns
    -------
    tuple of tuple of int
        The power tuples, as :class:`NormalCrossingSystem` stores them.

    Raises
    ------
    TypeError, ValueError
        Not such a sequence, a negative power, or a tuple without a positive power.
    """
    if not isinstance(value, (tuple, list)) or not value:
        raise TypeError(f"{name} must be a non-empty sequence of power tuples; got {v.describe(value)}")
    return tuple(NormalCrossingSystem(tuple(v.integers(k, f"{name}[{i}]", minimum=0))).powers for i, k in enumerate(value))


__all__ += ["networks_param", "powers_list_param"]


@dataclass(frozen=True)
class QuadraticBehaviourSystem:
    r"""A quadratic loss :math:`\tfrac12\sum_i h_i w_i^2` and a behaviour :math:`\tfrac12 w^\top M w`, :math:`M = R\,\mathrm{diag}(m)R^\top`.

    The loss is :class:`QuadraticSystem`'s (linear regression, minimum at 0); the behaviour is the
    mean squared output of the same model on a second design whose Hessian is :math:`M`, rotated
    by a fixed random orthogonal :math:`R` (seeded by ``rotation_seed``, not by the check's seed, so
    that predict and measure see the same :math:`M`).  SGLD runs at the temperature-matched step
    :math:`\epsilon_k = s/(n\beta_k h_{\max} + \gamma)` with the exact :math:`h_{\max} = \max_i h_i`.

    Parameters
    ----------
    curvatures, behaviour_curvatures
        :math:`h_i > 0` and :math:`m_i \ge 0`, of equal length.
    rows
        Rows of each design (>= the dimension); :math:`n\beta_k = \text{rows}/T_k`.
    step_scale
        :math:`s \in (0, 2)`.
    rotation_seed
        Seed of :math:`R`.
    """

    curvatures: tuple[float, ...]
    behaviour_curvatures: tuple[float, ...]
    rows: int
    step_scale: float
    rotation_seed: int = 7

    def __post_init__(self) -> None:
        h = v.reals(self.curvatures, "curvatures", minimum=0.0, open_min=True, min_length=1)
        object.__setattr__(self, "curvatures", h)
        object.__setattr__(self, "behaviour_curvatures", v.reals(self.behaviour_curvatures, "behaviour_curvatures",
                                                                 minimum=0.0, length=len(h)))
        object.__setattr__(self, "rows", v.integer(self.rows, "rows", minimum=len(h)))
        object.__setattr__(self, "step_scale", v.real(self.step_scale, "step_scale", minimum=0.0, maximum=2.0,
                                                      open_min=True, open_max=True))

    def rotation(self) -> np.ndarray:
        """:math:`R`, the Q factor of a seeded Gaussian matrix (Golub & Van Loan, sec. 5.2).

        Returns
        -------
        numpy.ndarray
            Orthogonal, ``(d, d)`` with ``d = len(curvatures)``; the same for every call (``rotation_seed``).
        """
        g = np.random.default_rng(self.rotation_seed)
        Q, _ = np.linalg.qr(g.standard_normal((len(self.curvatures), len(self.curvatures))))
        return Q

    def behaviour_matrix(self) -> np.ndarray:
        """The behaviour's Hessian :math:`M = R\\,\\mathrm{diag}(m)R^\\top`.

        Returns
        -------
        numpy.ndarray
            Symmetric positive semi-definite, ``(d, d)`` with ``d = len(curvatures)``.
        """
        R = self.rotation()
        return R @ np.diag(self.behaviour_curvatures) @ R.T

    def steps(self, n_betas: Any, gamma: float) -> list[float]:
        """The temperature-matched SGLD steps :math:`\\epsilon_k = s/(n\\beta_k h_{\\max} + \\gamma)`.

        Here :math:`h_{\\max} = \\max_i h_i`, the exact top curvature of the loss.

        Parameters
        ----------
        n_betas : iterable of float
            :math:`n\\beta_k > 0`, one per temperature.
        gamma : float
            Localization :math:`\\gamma \\ge 0`.

        Returns
        -------
        list of float
            One step per entry of ``n_betas``, in order.
        """
        return [self.step_scale / (nb * max(self.curvatures) + gamma) for nb in n_betas]

    def build(self, seed: int) -> tuple[QuadraticModel, tuple[torch.Tensor, torch.Tensor], Any]:
        """The model at 0, the loss data, and the behaviour ``fn(model)``.

        Parameters
        ----------
        seed : int
            Seed of the loss data; the behaviour's design uses ``seed + 1`` (and :meth:`rotation`).

        Returns
        -------
        tuple
            ``(model, (X, Y), behaviour)``: as :meth:`QuadraticSystem.build`, and ``behaviour(model)`` returning
            the scalar tensor :math:`\\tfrac12 w^\\top M w` (the mean squared output on the behaviour's design).
        """
        model, data = QuadraticSystem(self.curvatures, self.rows).build(seed)
        Xb, _ = quadratic_data(self.behaviour_curvatures, self.rows, seed=seed + 1)
        Xb = Xb @ torch.as_tensor(self.rotation().T, dtype=Xb.dtype)  # Hessian R diag(m) R^T
        zeros = torch.zeros(self.rows, 1, dtype=Xb.dtype)

        def behaviour(m: torch.nn.Module) -> torch.Tensor:
            return mse(m(Xb), zeros)

        return model, data, behaviour


__all__ += ["QuadraticBehaviourSystem"]
