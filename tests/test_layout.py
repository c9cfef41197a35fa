"""The layout keeps its promises: one area name in every layer, one packaging style, small modules,
a README layout table that matches the tree, and docs that point only inside the repository."""

from __future__ import annotations

import ast
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AREAS = ("edgeworth", "wide_networks", "ntk", "density_matrix", "singular_learning", "random_walk")
#: pieces shared by several areas, at the package roots under plain names
SHARED = {
    "theory": {"validate", "derivation", "cumulants"},
    "numerics": {"validate", "estimate", "activations"},
}
MAX_LINES = 400


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def _py_files(*tops: str) -> list[str]:
    out = []
    for top in tops:
        for d, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = [x for x in dirs if x != "__pycache__"]
            out += [os.path.join(d, f) for f in files if f.endswith(".py")]
    return sorted(out)


def _entries(layer: str) -> set[str]:
    names = set()
    for e in os.listdir(os.path.join(ROOT, layer)):
        if e.startswith("__") or e.endswith(".typed"):
            continue
        names.add(e[:-3] if e.endswith(".py") else e)
    return names


@pytest.mark.parametrize("layer", ["theory", "numerics"])
def test_layer_roots_hold_areas_and_shared_pieces_only(layer: str) -> None:
    assert _entries(layer) == set(AREAS) | SHARED[layer]


@pytest.mark.parametrize("area", AREAS)
def test_every_area_in_every_layer(area: str) -> None:
    for pkg in (f"theory/{area}", f"numerics/{area}", f"validation/checks/{area}"):
        assert os.path.isfile(os.path.join(ROOT, pkg, "__init__.py")), pkg
    for reg in ("invariants", "strategies"):
        assert os.path.isfile(os.path.join(ROOT, "validation", reg, f"_{area}.py")), f"validation/{reg}/_{area}.py"
    for sub in ("theory", "numerics", "validation"):
        files = os.listdir(os.path.join(ROOT, "tests", sub))
        assert any(f.startswith(f"test_{area}") and f.endswith(".py") for f in files), f"tests/{sub}/test_{area}*.py"
    assert any(f.startswith(f"bench_{area}") for f in os.listdir(os.path.join(ROOT, "benchmarks"))), f"bench_{area}*.py"
    docs = os.listdir(os.path.join(ROOT, "docs", "derivations"))
    assert any(f.startswith(f"{area}-") and f.endswith(".md") for f in docs), f"docs/derivations/{area}-*.md"


def test_no_stray_area_names() -> None:
    """Check, invariant, strategy and derivation names use the area names (or a shared piece's)."""
    for reg in ("invariants", "strategies"):
        mods = {f[1:-3] for f in os.listdir(os.path.join(ROOT, "validation", reg)) if f.startswith("_") and not f.startswith("__")}
        assert mods <= set(AREAS), (reg, mods - set(AREAS))
    checks = {d for d in os.listdir(os.path.join(ROOT, "validation", "checks")) if not d.startswith("_")}
    assert checks == set(AREAS)
    prefixes = set(AREAS) | {"cumulants"}
    for f in os.listdir(os.path.join(ROOT, "docs", "derivations")):
        if f.endswith(".md") and f != "index.md":
            assert f.split("-", 1)[0] in prefixes, f
    for f in os.listdir(os.path.join(ROOT, "benchmarks")):
        if f.startswith("bench_") and f != "bench_engine.py":  # the engine (sweeps, parallel runs) is no area
            assert any(f.startswith(f"bench_{a}") for a in AREAS), f


def test_one_packaging_style() -> None:
    """Area packages: private modules behind an ``__init__`` with an explicit ``__all__``."""
    for layer in ("theory", "numerics"):
        for name in set(AREAS) | {n for n in SHARED[layer] if os.path.isdir(os.path.join(ROOT, layer, n))}:
            d = os.path.join(ROOT, layer, name)
            mods = [f for f in os.listdir(d) if f.endswith(".py") and f != "__init__.py"]
            assert all(f.startswith("_") for f in mods), (f"{layer}/{name}", mods)
            tree = ast.parse(_read(os.path.join(d, "__init__.py")))
            names = {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
            assert "__all__" in names, f"{layer}/{name}/__init__.py defines no __all__"
    for d in ("systems", "cli", "invariants", "strategies"):
        mods = [f for f in os.listdir(os.path.join(ROOT, "validation", d)) if f.endswith(".py") and f != "__init__.py"]
        assert all(f.startswith("_") for f in mods), (d, mods)
    for area in AREAS:
        d = os.path.join(ROOT, "validation", "checks", area)
        mods = [f for f in os.listdir(d) if f.endswith(".py") and f != "__init__.py"]
        assert all(f.startswith("_") for f in mods), (area, mods)


@pytest.mark.parametrize("path", _py_files("theory", "numerics", "validation"), ids=lambda p: os.path.relpath(p, ROOT))
def test_modules_are_small(path: str) -> None:
    with open(path) as fh:
        n = sum(1 for _ in fh)
    assert n <= MAX_LINES, f"{os.path.relpath(path, ROOT)} has {n} lines (at most {MAX_LINES})"


def test_dependency_rule() -> None:
    """theory never imports numerics, validation or torch; numerics never imports sympy, theory or validation."""
    banned = {"theory": ("numerics", "validation", "torch"), "numerics": ("sympy", "theory", "validation")}
    for layer, bad in banned.items():
        for path in _py_files(layer):
            tree = ast.parse(_read(path))
            for node in ast.walk(tree):
                mods = []
                if isinstance(node, ast.Import):
                    mods = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    mods = [node.module]
                for m in mods:
                    assert m.split(".")[0] not in bad, f"{os.path.relpath(path, ROOT)} imports {m}"


def test_readme_layout_table_matches_the_tree() -> None:
    text = _read(os.path.join(ROOT, "README.md"))
    rows = re.findall(r"^\| *`?([a-z_]+)`? *\|(.+)\|\s*$", text, flags=re.M)
    table = {a: cells for a, cells in rows if a in AREAS}
    assert set(table) == set(AREAS), f"README layout table lists {sorted(table)}"
    for area, cells in table.items():
        paths = re.findall(r"`([^`]+/)`", cells)
        assert len(paths) >= 3, (area, cells)
        for p in paths:
            assert area in p and os.path.isdir(os.path.join(ROOT, p)), f"README: {p} (area {area}) is not in the tree"


def test_docs_point_only_inside_the_repository() -> None:
    """README, docs and docstrings name no file outside the repository (the team's notes included)."""
    pat = re.compile(r"THEORY\.md|DESIGN\.md|\.\./shared")
    files = [os.path.join(ROOT, "README.md")] + _py_files("theory", "numerics", "validation", "benchmarks")
    for d, _, fs in os.walk(os.path.join(ROOT, "docs")):
        if "_build" not in d:
            files += [os.path.join(d, f) for f in fs if f.endswith((".md", ".rst", ".py", ".txt"))]
    hits = [os.path.relpath(f, ROOT) for f in files if pat.search(_read(f))]
    assert not hits, f"references to files outside the repository in {hits}"
