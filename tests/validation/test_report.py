"""``theorycheck report``: content of the page, graceful degradation, and where it may be written."""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.validation.report_fixture import FIXTURE, make_results_dir
from validation.cli import main
from validation.report import belongs_to, build_report, is_report, latex_to_mathml, load_document, render_report


@pytest.fixture(scope="module")
def full_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The fixture's report with derivations (built once: it imports every theory module)."""
    root = str(tmp_path_factory.mktemp("full"))
    path = make_results_dir(root)
    out = build_report(path, os.path.join(root, "report.html"))
    with open(out, encoding="utf-8") as fh:
        return fh.read()


def _page(doc: dict, base_dir: str = ".") -> str:
    return render_report(doc, source="r.json", base_dir=base_dir, derivations=False)


def test_one_table_row_per_result_with_its_verdict(full_page: str) -> None:
    rows = re.findall(r'<tr data-index="(\d+)" data-verdict="(\w+)" data-area="(\w+)" data-name="([^"]+)"', full_page)
    assert [(n, a, v) for _, v, a, n in rows] == FIXTURE
    assert [int(i) for i, *_ in rows] == list(range(len(FIXTURE)))
    for i, (name, _, _) in enumerate(FIXTURE):
        assert f'<article class="check' in full_page and f'id="check-{i}"' in full_page
        assert f'<a href="#check-{i}">{name}</a>' in full_page


def test_page_is_self_contained(full_page: str) -> None:
    assert full_page.startswith("<!DOCTYPE html>")
    # no resource from elsewhere: every src is a data: URI, no stylesheet or font link, no @import/url()
    assert re.findall(r'\bsrc="([^"]*)"', full_page) and all(
        s.startswith("data:image/png;base64,") for s in re.findall(r'\bsrc="([^"]*)"', full_page))
    assert "<link" not in full_page and "@import" not in full_page and "url(" not in full_page
    assert all(h.startswith("#") for h in re.findall(r'\bhref="([^"]*)"', full_page))
    assert "default-src 'none'" in full_page


def test_each_check_shows_figure_parameters_comparison_and_reproduction(full_page: str) -> None:
    assert full_page.count('<img src="data:image/png;base64,') == 1  # only the first result has a figure
    assert "no figure: ValueError: nothing to draw" in full_page  # the second one's plot_error
    for cmd in ("theorycheck run edgeworth.density.exp --check-seed 1234567",
                "theorycheck run ntk.gradient_flow.mse --full --check-seed 7"):
        assert cmd in full_page
    assert "<th>samples</th><td><code>200000</code>" in full_page
    assert "RuntimeError: kernel matrix is singular" in full_page and "Traceback (most recent call last)" in full_page
    assert "<th>checksum</th><td>intact</td>" in full_page
    # compared components with the measured-minus-predicted column; sidecar arrays listed
    assert "<th>difference</th>" in full_page and "<th>budget</th>" in full_page
    assert "2 arrays" in full_page and "float64 (100, 60)" in full_page
    assert "<th>packages.torch</th><td>2.13.0</td>" in full_page


def test_derivations_of_each_area_are_linked_and_rendered(full_page: str) -> None:
    links = re.findall(r'<a href="#deriv-(\w+)-([\w-]+)">', full_page)
    assert links
    for area, name in links:
        assert belongs_to(name, area)
        assert f'id="deriv-{area}-{name}"' in full_page
    assert {a for a, _ in links} >= {"edgeworth"}
    section = full_page[full_page.index('id="deriv-edgeworth-edgeworth-density"'):]
    section = section[: section.index("</article>")]
    assert section.count("<math") >= 3 and 'display="block"' in section


def test_belongs_to_reads_area_prefixes() -> None:
    assert belongs_to("wide-networks-kernels", "wide_networks")
    assert belongs_to("edgeworth-density", "edgeworth") and belongs_to("ntk", "ntk")
    assert not belongs_to("edgeworth-density", "edge")
    assert not belongs_to("ntkx-flow", "ntk")


def test_latex_to_mathml_and_its_fallback() -> None:
    ok = latex_to_mathml(r"\frac{a}{b}")
    assert ok.ok and ok.startswith("<math") and "<mfrac>" in ok and ok.error is None
    bad = latex_to_mathml(r"\left( <b> \frac{x}")
    assert not bad.ok and bad.error
    assert "&lt;b&gt;" in bad and "<b>" not in bad and 'class="math-error"' in bad
    with pytest.raises(TypeError):
        latex_to_mathml(3)


def test_minimal_and_odd_results_degrade_gracefully(tmp_path) -> None:
    doc = {"results": [
        {"name": "edgeworth.x"},  # nothing but a name
        "not a result",
        {"name": "ntk.y", "passed": True, "plot": "missing.png", "sidecar": "nowhere.npz",
         "components": {"prediction": {"sidecar": "gone.npz", "key": "a0", "shape": [9]}, "measurement": [1.0]}},
        {"name": "ntk.z", "error": "boom", "plot": "fake.png"},
    ]}
    (tmp_path / "fake.png").write_bytes(b"not a png")
    page = _page(doc, str(tmp_path))
    assert page.count('<tr data-index="') == 3
    assert "1 entries of the results list are not results" in page
    assert 'data-verdict="FAIL"' in page and 'data-verdict="PASS"' in page and 'data-verdict="ERROR"' in page
    assert "figure file missing.png was not found" in page
    assert "fake.png is not a PNG file" in page
    assert "nowhere.npz could not be read" in page
    assert "gone.npz" in page  # the unreadable component is named, the readable one still shown
    assert "no reproduction command recorded" in page


def test_deciding_quantity_and_trajectory_components() -> None:
    doc = {"results": [{
        "name": "density_matrix.t", "area": "density_matrix", "decisive": "0.5 ± 0.1 vs 0.4",
        "display": {"quantity": "Bloch vector", "kind": "trajectory", "series": ["x", "y"]},
        "components": {"prediction": [[1.0, 2.0], [3.0, 4.0]], "measurement": [[1.5, 2.0], [3.0, 4.0]],
                       "axis": [0.0, 0.5]},
    }]}
    page = _page(doc)
    assert '<td data-sort="0.5 ± 0.1 vs 0.4">0.5 ± 0.1 vs 0.4</td>' in page
    assert "<th>deciding quantity</th><td>0.5 ± 0.1 vs 0.4</td>" in page
    rows = re.findall(r"<tr><td>([^<]*)</td><td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)</td>", page)
    assert [r[0] for r in rows] == ["0 · x", "0 · y", "0.5 · x", "0.5 · y"]
    assert rows[0][1:] == ("1", "1.5")


def test_text_from_the_results_is_escaped() -> None:
    page = _page({"results": [{"name": "ntk.<script>alert(1)</script>", "area": "ntk", "error": "<img src=x>"}]})
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x>" not in page


def test_load_document_rejects_other_files(tmp_path) -> None:
    (tmp_path / "a.json").write_text("[1, 2]")
    (tmp_path / "b.json").write_text("<html>")
    for name in ("a.json", "b.json"):
        with pytest.raises(ValueError, match="not a theorycheck results file"):
            load_document(str(tmp_path / name))
    with pytest.raises(FileNotFoundError):
        load_document(str(tmp_path / "none.json"))


def _fixture(tmp_path) -> str:
    return make_results_dir(str(tmp_path / "run"))


def test_write_refuses_foreign_files_and_links(tmp_path) -> None:
    results = _fixture(tmp_path)
    other = tmp_path / "notes.html"
    other.write_text("my notes")
    with pytest.raises(FileExistsError, match="not a theorycheck report"):
        build_report(results, str(other), derivations=False)
    assert other.read_text() == "my notes"
    # a link is never written through, even when it points at a report
    report = tmp_path / "report.html"
    build_report(results, str(report), derivations=False)
    assert is_report(str(report))
    link = tmp_path / "link.html"
    link.symlink_to(report)
    before = report.read_text()
    with pytest.raises(FileExistsError, match="symbolic link"):
        build_report(results, str(link), derivations=False)
    build_report(results, str(link), force=True, derivations=False)
    assert not link.is_symlink() and is_report(str(link)) and report.read_text() == before
    # the results file itself, or a folder, is refused even with --force
    with pytest.raises(ValueError, match="results file itself"):
        build_report(results, results, force=True, derivations=False)
    with pytest.raises(IsADirectoryError):
        build_report(results, str(tmp_path), force=True, derivations=False)
    with open(results, encoding="utf-8") as fh:
        assert json.load(fh)["results"]
    # --force replaces a foreign file; a report is replaced without it
    build_report(results, str(other), force=True, derivations=False)
    assert is_report(str(other))
    build_report(results, str(other), derivations=False)
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def test_cli_report(tmp_path, capsys) -> None:
    results = _fixture(tmp_path)
    out = tmp_path / "r.html"
    assert main(["report", results, "--out", str(out), "--no-derivations"]) == 0
    assert is_report(str(out)) and str(out) in capsys.readouterr().out
    # default output: the results path with .html
    assert main(["report", results, "--no-derivations"]) == 0
    assert is_report(results[: -len(".json")] + ".html")
    (tmp_path / "mine.txt").write_text("keep")
    assert main(["report", results, "--out", str(tmp_path / "mine.txt"), "--no-derivations"]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert (tmp_path / "mine.txt").read_text() == "keep"
    assert main(["report", str(tmp_path / "none.json"), "--out", str(out)]) == 1
    assert "none.json" in capsys.readouterr().err


def test_a_broken_theory_package_does_not_lose_the_report(monkeypatch) -> None:
    import theory.derivation

    def boom() -> list[str]:
        raise RuntimeError("theory failed to import")

    monkeypatch.setattr(theory.derivation, "derivation_names", boom)
    page = render_report({"results": [{"name": "ntk.a", "area": "ntk", "passed": True}]}, derivations=True)
    assert 'data-verdict="PASS"' in page
    assert "derivations unavailable: RuntimeError: theory failed to import" in page
    assert "The derivations could not be built: RuntimeError: theory failed to import" in page
