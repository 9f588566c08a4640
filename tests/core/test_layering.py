"""The layers of docs/architecture.md hold, and the contract would catch a new upward import.

The contract lives in pyproject.toml (``[tool.importlinter]``) and is run by import-linter,
as ``lint-imports`` would run it.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
TYPE_ONLY = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import {module}\n"
APPS = (
    "accounts",
    "audit",
    "registry",
    "benefits",
    "prepregnancy",
    "contraceptives",
    "publicity",
    "funds",
    "targets",
    "migrants",
    "governance",
    "reports",
)


def _lint(config: Path, cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own venv's lint-imports on our own config
        [LINT_IMPORTS, "--no-cache", str(config)],
        cwd=cwd,
        env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_layers_hold() -> None:
    result = _lint(ROOT / "pyproject.toml", ROOT, ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_core_imports_no_app_at_run_time() -> None:
    """The contract lets core name the user model in annotations; at run time it imports
    no app (the circle core.models → core.scope → accounts.models → core.models is gone)."""
    graph = grimp.build_graph("jisheng", exclude_type_checking_imports=True, cache_dir=None)
    for app in (*APPS, "demo"):
        chain = graph.find_shortest_chain(
            importer="jisheng.core", imported=f"jisheng.{app}", as_packages=True
        )
        assert chain is None, chain


def _project(tmp_path: Path, imports: dict[str, str]) -> Path:
    """A copy of the real contract over a package ``shadow`` with the same layers, whose
    modules import what ``imports`` says (``{"core.x": "from shadow.registry import y"}``)."""
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    package = tmp_path / "shadow"
    for name in ("core", *APPS, "demo"):
        (package / name).mkdir(parents=True)
        (package / name / "__init__.py").write_text("")
        (package / name / "x.py").write_text("")
        (package / name / "y.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "accounts" / "models.py").write_text("")
    # As in the real core: the user model named for annotations only (the allowed exception).
    (package / "core" / "y.py").write_text(TYPE_ONLY.format(module="shadow.accounts.models"))
    for module, line in imports.items():
        (package / f"{module.replace('.', '/')}.py").write_text(line + "\n")
    text = (ROOT / "pyproject.toml").read_text()
    start = text.index("[tool.importlinter]")
    config = tmp_path / "pyproject.toml"
    config.write_text(text[start:].replace("jisheng", "shadow"))
    assert contract["root_package"] == "jisheng"
    return config


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("core.x", "from shadow.registry import y"),  # core reaching up
        ("registry.x", "from shadow.benefits import y"),  # registry reaching a domain app
        ("benefits.x", "from shadow.contraceptives import y"),  # one domain app into another
        ("contraceptives.x", "from shadow.reports import y"),  # a domain app into reports
        # An annotation-only import counts too.
        ("audit.x", TYPE_ONLY.format(module="shadow.registry.y")),
    ],
)
def test_a_new_upward_or_sideways_import_breaks_the_contract(tmp_path, module, line) -> None:
    config = _project(tmp_path, {module: line})
    result = _lint(config, tmp_path, tmp_path)
    assert result.returncode == 1, result.stdout
    assert "0 kept, 1 broken" in result.stdout
    assert f"shadow.{module} -> shadow." in result.stdout


def test_the_same_shadow_project_without_the_import_is_kept(tmp_path) -> None:
    """So the failures above come from the import, not from the copied set-up."""
    config = _project(tmp_path, {"benefits.x": "from shadow.registry import y"})
    result = _lint(config, tmp_path, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
