"""Sphinx HTML math renderer: LaTeX to MathML at build time (``html_math_renderer = "mathml"``).

Why this small extension instead of ``sphinx.ext.mathjax`` or ``sphinx.ext.imgmath``:
the site must show its mathematics with no network access and nothing fetched from a
CDN.  MathJax would have to be vendored (several MB of JavaScript and fonts, kept up
to date by hand); ``imgmath`` needs a TeX installation and ``dvipng`` on every machine
that builds the docs.  Every current browser renders MathML Core natively, and
``latex2mathml`` (maintained, pure Python, already a dependency of ``theorycheck
report``) converts the formulas when the site is built, so the pages carry selectable,
scalable mathematics and no script.  The conversion is the report's own
(:func:`validation.report.latex_to_mathml`): a formula it cannot parse is a build
warning naming the page and line (so ``-W`` fails the build), and is shown as its LaTeX
source.  Only the glue to Sphinx's math-renderer API is written here.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

from validation.report import latex_to_mathml

logger = logging.getLogger(__name__)


def _mathml(node: nodes.Element, latex: str, display: bool) -> str:
    m = latex_to_mathml(latex, display=display)
    if not m.ok:
        logger.warning("formula not rendered to MathML (%s): %s", m.error, latex.strip()[:120],
                       location=node, type="mathml", subtype="parse")
    return str(m)


def visit_math(self: Any, node: nodes.Element) -> None:
    """Render inline mathematics."""
    self.body.append(_mathml(node, node.astext(), display=False))
    raise nodes.SkipNode


def visit_displaymath(self: Any, node: nodes.Element) -> None:
    """Render display mathematics (one ``<math>`` per blank-line-separated part), with its number."""
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number"):
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    parts = [p for p in node.astext().split("\n\n") if p.strip()] or [""]
    for part in parts:
        self.body.append(_mathml(node, part, display=True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Any) -> dict[str, Any]:
    """Register the ``mathml`` renderer."""
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
