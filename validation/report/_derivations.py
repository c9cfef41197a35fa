"""The registered derivations of each area, with their formulas rendered to MathML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from validation.report._math import latex_to_mathml

__all__ = ["RenderedStep", "RenderedDerivation", "area_prefixes", "belongs_to", "derivations_by_area"]


@dataclass(frozen=True)
class RenderedStep:
    """One step of a derivation: its sentence and its formula as HTML (``""`` when it has none)."""

    text: str
    math: str = ""
    ok: bool = True


@dataclass(frozen=True)
class RenderedDerivation:
    """A derivation ready to be placed in a page."""

    name: str
    title: str
    summary: str
    assumptions: tuple[str, ...]
    steps: tuple[RenderedStep, ...]
    truncation: str
    references: tuple[str, ...]
    math_errors: tuple[str, ...] = field(default=())


def area_prefixes(area: str) -> tuple[str, ...]:
    """The spellings a derivation name may start with for ``area``.

    Areas use underscores (``wide_networks``); derivation names are file names and
    use hyphens (``wide-networks-kernels``).  Both spellings are accepted.

    Parameters
    ----------
    area : str
        The area of a check.

    Returns
    -------
    tuple of str
        The distinct prefixes (the area itself and its hyphenated form).
    """
    return tuple(dict.fromkeys((area, area.replace("_", "-"))))


def belongs_to(derivation_name: str, area: str) -> bool:
    """Whether the derivation called ``derivation_name`` belongs to ``area``.

    Parameters
    ----------
    derivation_name : str
        A registered derivation name (``"edgeworth-density"``).
    area : str
        A check's area (``"edgeworth"``).

    Returns
    -------
    bool
        ``True`` when the name is the area or starts with the area followed by ``-``.
    """
    return any(derivation_name == p or derivation_name.startswith(p + "-") for p in area_prefixes(area))


def _render(d: object) -> RenderedDerivation:
    steps, errors = [], []
    for s in getattr(d, "steps", []):
        latex = s.latex()
        if latex:
            m = latex_to_mathml(latex, display=True)
            if not m.ok:
                errors.append(f"step {len(steps) + 1}: {m.error}")
            steps.append(RenderedStep(s.text, str(m), m.ok))
        else:
            steps.append(RenderedStep(s.text))
    return RenderedDerivation(
        name=d.name, title=d.title, summary=d.summary, assumptions=tuple(d.assumptions), steps=tuple(steps),
        truncation=d.truncation, references=tuple(d.references), math_errors=tuple(errors),
    )


def derivations_by_area(areas: Iterable[str]) -> tuple[dict[str, list[RenderedDerivation]], str | None]:
    """Build and render the registered derivations of each area.

    Parameters
    ----------
    areas : iterable of str
        The areas that appear in the results.

    Returns
    -------
    by_area : dict of str to list of RenderedDerivation
        For each area, its derivations in name order (possibly none).
    error : str or None
        Why no derivation could be built (the theory package failed to import or a
        derivation raised); ``None`` when all went well.  The report then says so
        instead of failing.
    """
    areas = list(dict.fromkeys(areas))
    by_area: dict[str, list[RenderedDerivation]] = {a: [] for a in areas}
    try:
        from theory.derivation import all_derivations, derivation_names

        wanted = [n for n in derivation_names() if any(belongs_to(n, a) for a in areas)]
        built = all_derivations(wanted) if wanted else []
    except Exception as exc:  # noqa: BLE001 - the report still shows the results
        return by_area, f"{type(exc).__name__}: {exc}"
    for d in sorted(built, key=lambda d: d.name):
        owners = [a for a in areas if belongs_to(d.name, a)]
        if owners:
            r = _render(d)
            for a in owners:
                by_area[a].append(r)
    return by_area, None
