#!/usr/bin/env python3
"""Check the import structure of kiosk/: no import circle, no circle between area packages, no import
from a lower floor into a higher one, no area importing another area's views, and few imports inside
functions, each with its reason.

The floors, top to bottom, are read from docs/architecture.md (the fenced block marked `floors`): each
line names a floor and the modules or packages on it. Every module under kiosk/ is parsed with `ast`
(nothing is imported or run). The packages kiosk/<area>/ form a graph by their module-level imports:
a circle there (boards imports plan while plan imports boards, through any modules) is reported with
every module import that makes one of its arrows. The last line printed is one JSON object:
{"modules", "circles", "area_circles", "upward", "function_level_imports"}. Exit status 1 when a rule
is broken.

    python scripts/check_imports.py               # the check, as CI runs it
    python scripts/check_imports.py --list        # also every function-level import with its reason
    python scripts/check_imports.py --root DIR    # check DIR/kiosk against DIR/docs/architecture.md
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "kiosk"
MAX_FUNCTION_LEVEL = 15  # imports inside functions allowed in kiosk/, each with a comment saying why
VIEWS = re.compile(r"(^|_)views$")  # an area's pages: views.py, outside_views.py ...


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def read_floors(text: str) -> list[tuple[str, list[str]]]:
    """[(floor, [module prefixes])] top to bottom, from the ```floors block."""
    block = re.search(r"```floors\n(.*?)```", text, re.S)
    if block is None:
        raise SystemExit("docs/architecture.md has no ```floors block")
    floors = []
    for line in block.group(1).splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, members = line.partition(":")
            floors.append((name.strip(), members.split()))
    return floors


def floor_of(module: str, floors: list[tuple[str, list[str]]]) -> int | None:
    """Index of the floor (0 = top) whose longest listed prefix names `module`."""
    best, found = -1, None
    for index, (_, members) in enumerate(floors):
        for member in members:
            exact = member.endswith("=")  # "kiosk=" names the package's __init__ alone
            prefix = member.rstrip("=")
            if module == prefix or (not exact and module.startswith(prefix + ".")):
                if len(prefix) > best:
                    best, found = len(prefix), index
    return found


class Imports(ast.NodeVisitor):
    """Every import in one module: (target module, line, inside a function?)."""

    def __init__(self, module: str, is_package: bool, known: set[str]):
        self.module, self.is_package, self.known = module, is_package, known
        self.found: list[tuple[str, int, bool]] = []
        self.inside: list[tuple[str, int]] = []
        self.depth = 0

    def _function(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _add(self, target: str, node: ast.stmt) -> None:
        if target == PACKAGE or target.startswith(PACKAGE + "."):
            self.found.append((target, node.lineno, self.depth > 0))

    def _statement(self, node: ast.stmt, what: str) -> None:
        if self.depth:  # every import statement inside a function counts, the project's or a library's
            self.inside.append((what, node.lineno))

    def visit_Import(self, node: ast.Import) -> None:
        self._statement(node, ", ".join(alias.name for alias in node.names))
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        self._statement(node, "." * node.level + base)
        if node.level:
            package = self.module if self.is_package else self.module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            self._add(submodule if submodule in self.known else base, node)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter[0]
                counter[0] += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def reason_for(lines: list[str], lineno: int) -> str:
    """The comment that says why an import sits inside a function: on its line or the line above."""
    line = lines[lineno - 1]
    if "#" in line:
        return line.split("#", 1)[1].strip()
    above = lines[lineno - 2].strip() if lineno >= 2 else ""
    return above[1:].strip() if above.startswith("#") else ""


def area_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == PACKAGE else None


def package_of(module: str, packages: set[str]) -> str | None:
    """The kiosk/<area>/ package a module belongs to (the package itself included), or None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE and parts[1] in packages else None


def area_circles(arrows: dict[tuple[str, str], list[str]]) -> list[tuple[list[str], list[str]]]:
    """Circles between area packages: [(areas, [every import making an arrow among them])]."""
    graph: dict[str, set[str]] = {}
    for mine, theirs in arrows:
        graph.setdefault(mine, set()).add(theirs)
        graph.setdefault(theirs, set())
    found = []
    for areas in circles(graph):
        members = set(areas)
        made_by = [f"{mine} -> {theirs}: {via}" for (mine, theirs), imports in sorted(arrows.items())
                   if mine in members and theirs in members for via in imports]
        found.append((areas, made_by))
    return found


def main(argv: list[str], root: Path = ROOT) -> int:
    if "--root" in argv:
        root = Path(argv[argv.index("--root") + 1]).resolve()
    floors = read_floors((root / "docs" / "architecture.md").read_text(encoding="utf-8"))
    paths = sorted((root / PACKAGE).rglob("*.py"))
    names = {module_name(path, root): path for path in paths}
    packages = {path.parent.name for path in (root / PACKAGE).glob("*/__init__.py")}
    graph: dict[str, set[str]] = {name: set() for name in names}
    area_arrows: dict[tuple[str, str], list[str]] = {}
    problems: list[str] = []
    upward, function_level = [], []
    for name, path in names.items():
        text = path.read_text(encoding="utf-8")
        visitor = Imports(name, path.name == "__init__.py", set(names))
        visitor.visit(ast.parse(text, str(path)))
        lines = text.splitlines()
        here = floor_of(name, floors)
        if here is None:
            problems.append(f"{name}: on no floor of docs/architecture.md")
        for what, lineno in visitor.inside:
            function_level.append({"at": f"{path.relative_to(root)}:{lineno}", "imports": what,
                                   "why": reason_for(lines, lineno)})
        for target, lineno, inside in visitor.found:
            if target not in names:
                problems.append(f"{name}:{lineno}: imports {target}, which is no module of {PACKAGE}/")
                continue
            if target != name:
                graph[name].add(target)
            where = f"{path.relative_to(root)}:{lineno}"
            mine, theirs = package_of(name, packages), package_of(target, packages)
            if not inside and mine and theirs and mine != theirs:
                area_arrows.setdefault((mine, theirs), []).append(f"{name} imports {target} ({where})")
            there = floor_of(target, floors)
            if here is not None and there is not None and there < here:
                upward.append(f"{where}: {name} ({floors[here][0]}) imports {target} ({floors[there][0]})")
            mine, theirs = area_of(name), area_of(target)
            if theirs and mine != theirs and VIEWS.search(target.rsplit(".", 1)[-1]) and floors[here][0] != "entry":
                problems.append(f"{where}: {name} imports another area's views ({target})")
    found_circles = circles(graph)
    for circle in found_circles:
        problems.append("import circle: " + " -> ".join(circle))
    found_area_circles = area_circles(area_arrows)
    for areas, made_by in found_area_circles:
        problems.append("area circle: " + " <-> ".join(areas) + "".join(f"\n    {via}" for via in made_by))
    problems += [f"upward import: {line}" for line in upward]
    for item in function_level:
        if not item["why"]:
            problems.append(f"{item['at']}: import inside a function without a comment saying why")
    if len(function_level) > MAX_FUNCTION_LEVEL:
        problems.append(f"{len(function_level)} imports inside functions (at most {MAX_FUNCTION_LEVEL})")
    if "--list" in argv:
        for item in function_level:
            print(f"{item['at']}: {item['imports']}  # {item['why'] or '(no reason given)'}")
    for problem in problems:
        print(problem)
    print(json.dumps({"modules": len(names), "circles": len(found_circles),
                      "area_circles": len(found_area_circles), "upward": len(upward),
                      "function_level_imports": len(function_level)}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
