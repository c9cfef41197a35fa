"""The report in a real headless browser: it loads without console errors or network requests,
shows one row per result, filters and sorts, renders its MathML, and makes a non-blank screenshot.

Chromium comes from the system packages (``apt-get install -y chromium``; ``.ci/run`` installs
it) and is driven by Playwright.  Where no Chromium is installed the test is skipped with that
reason, except under CI, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.validation.report_fixture import FIXTURE, make_results_dir
from validation.report import build_report

CHROMIUM = os.environ.get("THEORYCHECK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: Playwright adds --headless itself, and the fresh --user-data-dir is launch_persistent_context's argument
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    if os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"no Chromium at {CHROMIUM}: install it with 'apt-get install -y chromium' (.ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture()
def page_session(tmp_path: Path):
    """A fresh browser profile and page, with everything the page logs or requests recorded."""
    exe = _chromium()
    from playwright.sync_api import sync_playwright

    log: dict[str, list[str]] = {"console": [], "pageerror": [], "requests": []}
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=exe, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = ctx.new_page()
            page.on("console", lambda m: log["console"].append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: log["pageerror"].append(str(e)))
            page.on("request", lambda r: log["requests"].append(r.url))
            yield page, log
        finally:
            ctx.close()


def _visible_names(page) -> list[str]:
    return page.eval_on_selector_all(
        "#verdict-table tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.dataset.name)")


def test_report_in_headless_chromium(tmp_path: Path, page_session) -> None:
    page, log = page_session
    results = make_results_dir(str(tmp_path / "run"))
    out = build_report(results, str(tmp_path / "report.html"))
    url = Path(out).as_uri()
    page.goto(url, wait_until="load")

    names = [n for n, _, _ in FIXTURE]
    assert page.locator("#verdict-table tbody tr").count() == len(FIXTURE)
    assert _visible_names(page) == names
    assert page.inner_text("#shown") == f"{len(FIXTURE)} of {len(FIXTURE)} shown"

    # filter by verdict: the table and the check sections follow
    page.select_option("#filter-verdict", "FAIL")
    assert _visible_names(page) == ["wide_networks.kurtosis.relu"]
    assert page.inner_text("#shown") == f"1 of {len(FIXTURE)} shown"
    assert page.locator("article.check:visible").count() == 1
    assert page.locator("#check-1").is_visible() and not page.locator("#check-0").is_visible()
    # by area, and both at once (no match: the empty note shows)
    page.select_option("#filter-verdict", "")
    page.select_option("#filter-area", "ntk")
    assert _visible_names(page) == ["ntk.gradient_flow.mse"]
    page.select_option("#filter-verdict", "PASS")
    assert _visible_names(page) == [] and page.locator("#empty").is_visible()
    page.select_option("#filter-verdict", "")
    page.select_option("#filter-area", "")
    page.fill("#filter-text", "QUBIT")
    assert _visible_names(page) == ["density_matrix.qubit.decay"]
    page.fill("#filter-text", "")
    assert _visible_names(page) == names and not page.locator("#empty").is_visible()

    # sort by p: ascending, then descending; results without a p-value stay last, in file order
    head = page.locator('#verdict-table th[data-key="p_value"]')
    head.locator("button").click()
    assert head.get_attribute("aria-sort") == "ascending"
    assert _visible_names(page) == [names[1], names[0], names[2], names[3]]
    head.locator("button").click()
    assert head.get_attribute("aria-sort") == "descending"
    assert _visible_names(page) == [names[0], names[1], names[2], names[3]]
    page.locator('#verdict-table th[data-key="name"] button').click()
    assert _visible_names(page) == sorted(names)

    # the figure is decoded and the mathematics laid out by the browser
    assert page.eval_on_selector("#check-0 img", "img => img.complete && img.naturalWidth") > 0
    math_heights = page.eval_on_selector_all("#derivations math", "ms => ms.map(m => m.getBoundingClientRect().height)")
    assert len(math_heights) >= 3 and min(math_heights) > 0

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=False)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[0] >= 800 and pixels.shape[1] >= 1200
    assert float(np.std(pixels[..., :3])) > 0.05  # not a blank page

    assert log["pageerror"] == [] and log["console"] == [], log
    assert [u for u in log["requests"] if u != url and not u.startswith("data:")] == []
