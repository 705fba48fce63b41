"""The product never imports evals: the wheel does not ship them (pyproject.toml), so an import
of `evals` from app/, agents/ or knowledge/ would work in a checkout and break every install.
Evals import the product to measure it; the dependency points that way only."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("app", "agents", "knowledge")


def evals_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """Every `import evals...` / `from evals... import ...`, at any depth (lazy ones too)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, n) for n in names if n == "evals" or n.startswith("evals.")]
    return found


def test_no_product_module_imports_evals() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for package in PRODUCT
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, name in evals_imports(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        "import evals",
        "import os, evals.run",
        "from evals.bench.results import REPORTS",
        "def f():\n    from evals import run\n",
    ],
)
def test_the_scan_sees_every_form_of_import(source: str) -> None:
    assert evals_imports(ast.parse(source))


@pytest.mark.parametrize(
    "source", ["import evaluate", "from app.evals import x", "from . import evals"]
)
def test_the_scan_ignores_lookalikes(source: str) -> None:
    assert evals_imports(ast.parse(source)) == []


def test_the_wheel_leaves_evals_out() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert sorted(packages) == sorted(PRODUCT)
    assert all(not target.startswith("evals") for target in project["project"]["scripts"].values())


def test_the_interlude_command_has_no_eval_or_bench() -> None:
    from app.cli import main

    assert not {"eval", "bench"} & set(main.commands)
