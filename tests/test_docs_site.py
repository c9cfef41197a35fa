"""The documentation site (``make docs-site``) builds with Sphinx, warnings as errors, has every
page, renders the derivations' mathematics as MathML and loads nothing from the network.

On failure the message groups the warnings by module (numpydoc validation) and lists the
others with their location, so they can be routed to the module's owner.
"""

from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _summary(log: str) -> str:
    """The build's warnings: numpydoc validation codes per module, then every other warning."""
    per_module: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    seen: set[tuple[str, str]] = set()
    current = None
    other = []
    for line in log.splitlines():
        m = re.search(r"Validation warnings while processing docstring for '([^']+)'", line)
        if m:
            current = m.group(1)
            continue
        m = re.match(r"\s+([A-Z]{2}\d\d): ", line)
        if m and current:
            if (current, m.group(1)) not in seen:  # autosummary and autodoc both process a docstring
                seen.add((current, m.group(1)))
                per_module[".".join(current.split(".")[:2])][m.group(1)] += 1
            continue
        if "WARNING" in line or "ERROR" in line:
            other.append(line.strip())
    out = [f"{len(seen)} numpydoc validation findings, {len(other)} other warnings"]
    out += [f"  {mod}: {dict(c)}" for mod, c in sorted(per_module.items())]
    out += [f"  {w[:300]}" for w in other]
    return "\n".join(out)


def test_docs_site_builds_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "html"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-E", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), "docs", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    log = proc.stdout + proc.stderr
    assert (out / "index.html").is_file(), log[-3000:]

    pages = ["guide/quickstart", "guide/verdicts", "guide/writing-checks", "guide/sweeps", "guide/reports",
             "contributing", "theory", "api/index"]
    pages += [f"api/generated/{p}" for p in ("theory", "numerics", "validation", "validation.report", "theory.derivation")]
    derivations = sorted(f[:-3] for f in os.listdir(ROOT / "docs" / "derivations") if f.endswith(".md") and f != "index.md")
    assert derivations
    pages += [f"derivations/{d}" for d in derivations]
    missing = [p for p in pages if not (out / f"{p}.html").is_file()]
    assert not missing, missing

    # the maths is MathML written at build time; no page loads a script, style or image from elsewhere
    density = (out / "derivations" / "edgeworth-density.html").read_text(encoding="utf-8")
    assert density.count("<math") >= 5
    assert not re.search(r"<script[^>]*mathjax", density, flags=re.I)
    remote = re.compile(r'<(?:script|img|link|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//')
    loads = [str(p.relative_to(out)) for p in out.rglob("*.html") if remote.search(p.read_text(encoding="utf-8"))]
    assert not loads, loads
    # the API reference documents the public names of each package's __all__
    report_api = (out / "api" / "generated" / "validation.report.html").read_text(encoding="utf-8")
    import validation.report

    for name in validation.report.__all__:
        if callable(getattr(validation.report, name)):
            assert f'id="validation.report.{name}"' in report_api, name

    assert proc.returncode == 0, "sphinx-build -W failed:\n" + _summary(log)
