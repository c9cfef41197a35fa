"""Derivations: ordered, documented chains of sympy equations.

A :class:`Derivation` is what ``theorycheck docs`` renders and what predictions
are evaluated from.  Every theory module registers the derivations it can build
with :func:`register_derivation`; :func:`all_derivations` discovers them.
"""

from __future__ import annotations

import functools
import re
import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import sympy as sp

from theory.validate import describe, scalar

__all__ = [
    "Step",
    "Derivation",
    "register_derivation",
    "all_derivations",
    "derivation_names",
    "cached_lambdify",
]


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a short sentence and a sympy equation.

    Parameters
    ----------
    text : str
        The sentence saying what the step does.
    equation : sympy.Basic, optional
        The step's equation (``sympy.Eq``) or expression; ``None`` for a step in words.
    """

    text: str
    equation: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text:
            raise TypeError(f"step text must be a non-empty string; got {describe(self.text)}")
        if self.equation is not None and not isinstance(self.equation, (sp.Basic, sp.MatrixBase)):
            raise TypeError(f"step equation must be a sympy expression, equation or matrix; got {describe(self.equation)}")

    def latex(self) -> str:
        """The step's equation in LaTeX ('' when it has none).

        Returns
        -------
        str
            ``sympy.latex`` of the equation, or ``""``.
        """
        if self.equation is None:
            return ""
        return sp.latex(self.equation)


@dataclass
class Derivation:
    """An ordered list of steps with their assumptions and references.

    Parameters
    ----------
    name : str
        Stable identifier (file name of the rendered document), e.g. ``"edgeworth-density"``.
    title : str
        Human-readable title.
    summary : str, default ""
        One paragraph on what is derived and why.
    assumptions : list of str, default []
        Statements the result relies on.
    references : list of str, default []
        Papers / book sections the formulas come from.
    steps : list of Step, default []
        The steps, in order; usually appended with :meth:`step`.
    truncation : str, default ""
        For truncated expansions: a sentence (optionally with an equation in
        ``steps``) saying how large the first omitted term is.
    """

    name: str
    title: str
    summary: str = ""
    assumptions: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    truncation: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ValueError(f"derivation name must be '<area>-<what>' in lower case (e.g. 'edgeworth-density'); "
                             f"got {describe(self.name)}")
        for attr in ("name", "title"):
            if not isinstance(getattr(self, attr), str) or not getattr(self, attr):
                raise TypeError(f"derivation {attr} must be a non-empty string; got {describe(getattr(self, attr))}")
        for attr in ("summary", "truncation"):
            if not isinstance(getattr(self, attr), str):
                raise TypeError(f"derivation {attr} must be a string; got {describe(getattr(self, attr))}")
        for attr in ("assumptions", "references"):
            items = getattr(self, attr)
            if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
                raise TypeError(f"derivation {attr} must be a list of strings; got {describe(items)}")
        if not isinstance(self.steps, list) or not all(isinstance(x, Step) for x in self.steps):
            raise TypeError(f"derivation steps must be a list of Step; got {describe(self.steps)}")

    def step(self, text: str, equation: Any = None) -> "Derivation":
        """Append a step and return ``self`` (so calls chain).

        Parameters
        ----------
        text : str
            The step's sentence (non-empty).
        equation : sympy.Basic, optional
            The step's equation or expression.

        Returns
        -------
        Derivation
            ``self``.

        Raises
        ------
        TypeError
            If ``text`` is empty or not a string.
        """
        if not isinstance(text, str) or not text:
            raise TypeError("text must be a non-empty string")
        self.steps.append(Step(text, equation))
        return self

    @property
    def result(self) -> Any:
        """The equation of the last step that has one (``ValueError`` when no step has one)."""
        for s in reversed(self.steps):
            if s.equation is not None:
                return s.equation
        raise ValueError(f"derivation {self.name!r} has no equation")

    def to_markdown(self) -> str:
        """Render as Markdown with LaTeX (``$$ ... $$`` display math).

        Returns
        -------
        str
            The document: title, summary, assumptions, numbered steps, truncation and references.
        """
        out = [f"# {self.title}", ""]
        if self.summary:
            out += [self.summary, ""]
        if self.assumptions:
            out += ["## Assumptions", ""]
            out += [f"- {a}" for a in self.assumptions]
            out.append("")
        out += ["## Derivation", ""]
        for i, s in enumerate(self.steps, 1):
            out.append(f"{i}. {s.text}")
            if s.equation is not None:
                out += ["", "   $$", "   " + s.latex(), "   $$"]
            out.append("")
        if self.truncation:
            out += ["## Truncation", "", self.truncation, ""]
        if self.references:
            out += ["## References", ""]
            out += [f"- {r}" for r in self.references]
            out.append("")
        out += [
            "---",
            f"*Generated by `theorycheck docs` from the symbolic code (derivation `{self.name}`); do not edit by hand.*",
            "",
        ]
        return "\n".join(out)


_REGISTRY: dict[str, Callable[[], Derivation]] = {}


_NAME = re.compile(r"[a-z][a-z0-9_]*-[a-z0-9][a-z0-9-]*")


def register_derivation(name: str) -> Callable[[Callable[[], Derivation]], Callable[[], Derivation]]:
    """Decorator: register a zero-argument factory that builds a :class:`Derivation`.

    The factory is called lazily by :func:`all_derivations` (``theorycheck docs``).

    Parameters
    ----------
    name : str
        The derivation's name; the factory's :class:`Derivation` must carry the same name.

    Returns
    -------
    callable
        A decorator that registers the factory and returns it unchanged; it raises
        ``ValueError`` when another factory has that name.

    Raises
    ------
    TypeError
        If ``name`` is empty or not a string.
    """
    if not isinstance(name, str) or not name:
        raise TypeError("name must be a non-empty string")
    if not _NAME.fullmatch(name):
        raise ValueError(f"derivation name must be '<area>-<what>' in lower case (e.g. 'edgeworth-density'); got {name!r}")

    def deco(fn: Callable[[], Derivation]) -> Callable[[], Derivation]:
        if name in _REGISTRY and _REGISTRY[name] is not fn:
            raise ValueError(f"derivation {name!r} registered twice")
        _REGISTRY[name] = fn
        return fn

    return deco


def _import_all_theory_modules() -> None:
    import theory

    for mod in pkgutil.walk_packages(theory.__path__, prefix="theory."):
        if mod.name.rsplit(".", 1)[-1].startswith("_") and not mod.ispkg:
            # private helper modules are imported by their public parents
            continue
        importlib.import_module(mod.name)


def derivation_names() -> list[str]:
    """Sorted names of every registered derivation (imports all theory modules).

    Returns
    -------
    list of str
        The names, sorted.
    """
    _import_all_theory_modules()
    return sorted(_REGISTRY)


def all_derivations(names: Iterable[str] | None = None) -> list[Derivation]:
    """Build the registered derivations (all of them, or those in ``names``).

    Parameters
    ----------
    names : iterable of str, optional
        The derivations to build; ``None`` for all, sorted by name.

    Returns
    -------
    list of Derivation
        The built derivations, in the order asked for.

    Raises
    ------
    ValueError
        If a name is unknown, or a factory builds a derivation of another name.
    """
    known = derivation_names()
    if isinstance(names, (str, bytes)):
        raise TypeError(f"names must be a list of derivation names; got {describe(names)}")
    wanted = known if names is None else list(names)
    for n in wanted:
        if not isinstance(n, str):
            raise TypeError(f"derivation names must be strings; got {describe(n)}")
    unknown = [n for n in wanted if n not in _REGISTRY]
    if unknown:
        raise ValueError(f"unknown derivation(s) {unknown}; known: {known}")
    out = []
    for n in wanted:
        d = _REGISTRY[n]()
        if d.name != n:
            raise ValueError(f"derivation registered as {n!r} is named {d.name!r}")
        out.append(d)
    return out


@functools.lru_cache(maxsize=512)
def _lambdify_cached(args: tuple[sp.Symbol, ...], expr: sp.Basic) -> Callable[..., Any]:
    return sp.lambdify(args, expr, modules=["scipy", "numpy"], cse=True)


def cached_lambdify(args: Sequence[sp.Symbol], expr: sp.Basic) -> Callable[..., Any]:
    """``sympy.lambdify`` to numpy, cached on ``(args, expr)``.

    Parameters
    ----------
    args : sequence of sympy.Symbol
        The sympy symbols, in the order the numeric function takes them.
    expr : sympy.Basic, sympy.MatrixBase or number
        A sympy expression or matrix (a number is accepted too).  Strings are rejected
        with ``TypeError``: they are never parsed.

    Returns
    -------
    callable
        A vectorised numpy function of ``args``.

    Raises
    ------
    TypeError
        If ``args`` is a string or holds something other than symbols, or ``expr`` is a
        string or not a sympy object or number.
    """
    if isinstance(args, (str, bytes)):
        raise TypeError(f"args must be a sequence of sympy symbols; got {describe(args)}")
    args = tuple(args)
    for i, a in enumerate(args):
        if not isinstance(a, sp.Symbol):
            raise TypeError(f"args[{i}] must be a sympy Symbol; got {describe(a)}")
    if isinstance(expr, sp.MatrixBase):
        expr = sp.ImmutableMatrix(expr)
    else:
        expr = scalar(expr, "expr")
        if not isinstance(expr, sp.Basic):
            expr = sp.sympify(expr)  # a number (checked above): nothing is parsed
    return _lambdify_cached(args, expr)
