"""The layering the README promises, checked on the source: packages import each other in one direction only, and
asset modules reach reference files and settings through resources, never directly."""

import ast
from pathlib import Path

from tests.shared_data import PROJECT

PACKAGES = ("pipelines", "assets", "model", "schemas", "sources", "storage")


def imported_packages(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(PACKAGES)


def package_graph() -> dict[str, set[str]]:
    return {
        package: set().union(*(imported_packages(p) for p in (PROJECT / package).rglob("*.py"))) - {package}
        for package in PACKAGES
    }


def test_no_import_cycle_between_packages():
    graph = package_graph()

    def reaches(start: str, target: str, seen: frozenset = frozenset()) -> bool:
        return any(n == target or (n not in seen and reaches(n, target, seen | {n})) for n in graph[start])

    cycles = [package for package in PACKAGES if reaches(package, package)]
    assert not cycles, {package: sorted(graph[package]) for package in cycles}


def test_only_the_definitions_module_imports_pipelines():
    assert all("pipelines" not in deps for package, deps in package_graph().items() if package != "pipelines")


def test_asset_modules_read_neither_reference_files_nor_the_environment():
    offenders = [
        str(path.relative_to(PROJECT))
        for path in (PROJECT / "assets").rglob("*.py")
        if "resources" not in path.parts
        and any(needle in path.read_text() for needle in ('"reference"', "os.environ", "getenv", "read_csv("))
    ]
    assert not offenders
