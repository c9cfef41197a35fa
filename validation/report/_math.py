"""LaTeX to MathML, at build time, for pages that must render offline.

Why MathML from ``latex2mathml`` (a maintained, pure-Python converter) rather than
MathJax or images: the report is one file that must show its mathematics with no
network and no script from elsewhere.  Every current browser (Chromium 109+, Firefox,
Safari) renders MathML Core natively, so the converted formulas need neither a
vendored 2 MB JavaScript engine and its fonts nor a TeX installation (``imgmath``), and
they stay selectable, scalable text.  A formula the converter cannot parse (sympy
occasionally prints invalid LaTeX) is shown as its LaTeX source, marked, and counted,
never dropped silently.
"""

from __future__ import annotations

import html

__all__ = ["latex_to_mathml", "MathResult"]


class MathResult(str):
    """The HTML of one formula (a ``str``) that also says whether the conversion worked.

    Parameters
    ----------
    text : str
        The HTML.
    ok : bool, optional
        ``False`` when the LaTeX could not be converted and the HTML shows the source.
    error : str or None, optional
        The converter's message when ``ok`` is ``False``.
    """

    ok: bool
    error: str | None

    def __new__(cls, text: str, ok: bool = True, error: str | None = None) -> "MathResult":
        obj = super().__new__(cls, text)
        obj.ok = ok
        obj.error = error
        return obj


def latex_to_mathml(latex: str, *, display: bool = True) -> MathResult:
    """Convert a LaTeX formula to MathML markup.

    Parameters
    ----------
    latex : str
        The formula, without surrounding ``$`` delimiters.
    display : bool, optional
        ``True`` for a display (block) formula, ``False`` for inline mathematics.

    Returns
    -------
    MathResult
        The ``<math>`` element as a string, with ``ok=True``; when the formula cannot be
        converted, a ``<code class="math-error">`` element holding the escaped LaTeX
        source, with ``ok=False`` and the converter's message in ``error``.

    Raises
    ------
    TypeError
        If ``latex`` is not a string.
    """
    if not isinstance(latex, str):
        raise TypeError(f"latex must be a string; got {type(latex).__name__}")
    from latex2mathml.converter import convert

    try:
        out = convert(latex, display="block" if display else "inline")
    except Exception as exc:  # noqa: BLE001 - any parser failure degrades to the source text
        msg = f"{type(exc).__name__}: {exc}" if str(exc).strip() else type(exc).__name__
        src = html.escape(latex)
        title = html.escape(f"could not render this formula ({msg})", quote=True)
        tag = "pre" if display else "code"
        return MathResult(f'<{tag} class="math-error" title="{title}">{src}</{tag}>', ok=False, error=msg)
    return MathResult(out)
