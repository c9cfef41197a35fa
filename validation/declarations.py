"""What a check declares besides its three functions: predictions, falsification twins, displays.

These are re-exported by :mod:`validation.check`, where they are normally imported from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from numerics import validate as v

__all__ = ["Prediction", "PredictFn", "Twin", "Display", "DISPLAY_KINDS"]


@dataclass(frozen=True)
class Prediction:
    """A theory's prediction.

    Parameters
    ----------
    value : number, array_like or callable
        A number / array, or a callable (a CDF, a density) for distribution checks.
    truncation : number, array_like or callable, default 0
        Bounds the theory's own error (the truncation budget; 0 for exact results).
    summary : object, optional
        A short JSON-friendly description for reports (defaults to ``value`` when that is a number).
    extra : dict, default {}
        Further quantities of the theory that ``compare`` may use.
    """

    value: Any
    truncation: Any = 0.0
    summary: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def display(self) -> Any:
        """The prediction as reports show it.

        Returns
        -------
        object
            ``summary`` when given, else the name of a callable ``value``, else ``value``.
        """
        if self.summary is not None:
            return self.summary
        if callable(self.value):
            return getattr(self.value, "__name__", "function")
        return self.value


PredictFn = Callable[[Mapping[str, Any]], Prediction]


@dataclass(frozen=True)
class Twin:
    """A falsification twin: a deliberately wrong prediction the check must reject.

    Parameters
    ----------
    name : str
        Short identifier, unique within the check (``"lambda3_x1.1"``).
    how_wrong : str
        What is wrong and by how much, in words (``"lambda_3 multiplied by 1.1"``):
        this is the check's stated power.
    predict : callable
        The wrong theory: ``predict(params) -> Prediction``, same shape as the check's own.

    Raises
    ------
    TypeError
        If ``name`` or ``how_wrong`` is empty or not a string, or ``predict`` is not callable.
    """

    name: str
    how_wrong: str
    predict: PredictFn

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"twin name must be a non-empty string; got {v.describe(self.name)}")
        if not isinstance(self.how_wrong, str) or not self.how_wrong:
            raise TypeError(f"twin {self.name!r}: how_wrong must say how wrong the prediction is")
        v.function(self.predict, f"twin {self.name!r}: predict")


DISPLAY_KINDS = ("point", "curve", "trajectory", "spectrum", "scaling", "distribution", "degradation", "matrix")


@dataclass(frozen=True)
class Display:
    """How a check's compared quantity is named and drawn.

    Parameters
    ----------
    quantity : str
        What is compared, in words (``"output excess kurtosis"``).
    kind : str, default "point"
        ``"point"`` (named components), ``"curve"`` (a quantity against ``axis``),
        ``"trajectory"`` (several series against time), ``"spectrum"`` (complex
        eigenvalues), ``"scaling"`` (a power law on log-log axes), ``"distribution"``
        (a CDF or density), ``"degradation"`` (a curve against temperature) or
        ``"matrix"``.
    unit : str, default "dimensionless"
        Unit of the quantity, or ``"dimensionless"``.
    axis, axis_unit : str, optional
        The control parameter along the components (``"width"``, ``"t"``, ``"n"``,
        ``"lattice point"``) and its unit; ``None`` for unordered components.
    series : tuple of str, default ()
        Names of the series along the last axis (``("x", "y", "z")``), if any.
    xlog, ylog : bool, default False
        Logarithmic axes.
    labels : tuple of str or callable, optional
        Names of the compared components, in the order of the flattened prediction: a
        tuple, or ``labels(params) -> sequence of str`` when they depend on the
        parameters (``("variance", "excess kurtosis")``, ``"k_3"``, ``"widths (4, 8)"``).
        ``None`` for curves and trajectories, whose components are named by
        ``axis`` and ``series`` (the axis values are ``Estimate.diagnostics["axis"]``).

    Raises
    ------
    TypeError
        If ``quantity`` is empty or not a string.
    ValueError
        If ``kind`` is not one of the kinds above.
    """

    quantity: str
    kind: str = "point"
    unit: str = "dimensionless"
    axis: str | None = None
    axis_unit: str = "dimensionless"
    series: tuple[str, ...] = ()
    xlog: bool = False
    ylog: bool = False
    labels: Any = None

    def component_labels(self, params: Mapping[str, Any]) -> list[str] | None:
        """The component names for ``params`` (``None`` when not declared).

        Parameters
        ----------
        params : Mapping of str to object
            The run's parameters, passed to a callable ``labels``.

        Returns
        -------
        list of str or None
            One name per compared component, or ``None`` when ``labels`` is not declared.
        """
        if self.labels is None:
            return None
        out = self.labels(params) if callable(self.labels) else self.labels
        return [str(x) for x in out]

    def __post_init__(self) -> None:
        if not isinstance(self.quantity, str) or not self.quantity:
            raise TypeError("Display.quantity must name the compared quantity")
        v.choice(self.kind, "Display.kind", DISPLAY_KINDS)
