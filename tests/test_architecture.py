"""The stages import only downwards, so each can be read, tested and replaced on its own."""

from __future__ import annotations

import ast
from pathlib import Path

from flows.batch import PACKAGES

ROOT = Path(__file__).resolve().parent.parent


def _imported_packages(path: Path) -> set[str]:
    """Top-level names of the project's packages a module imports (at any depth in the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


def _upward_imports() -> list[str]:
    rank = {package: i for i, package in enumerate(PACKAGES)}
    wrong = []
    for package in PACKAGES:
        for module in sorted((ROOT / package).rglob("*.py")):
            for imported in _imported_packages(module):
                if rank[imported] > rank[package]:
                    wrong.append(f"{module.relative_to(ROOT)} imports {imported}")
    return wrong


def test_no_stage_imports_a_stage_above_it() -> None:
    assert _upward_imports() == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from flows.cli import main\n", encoding="utf-8")
    assert _imported_packages(module) == {"flows"}


def test_every_package_of_the_project_is_ranked() -> None:
    users = {"tests", "tools", "benchmarks"}  # they use the stages and are not shipped
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - users
    assert packages == set(PACKAGES)


def test_the_wheel_ships_every_stage_package() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = project["tool"]["setuptools"]["packages"]["find"]["include"]
    assert shipped == [f"{package}*" for package in PACKAGES]
