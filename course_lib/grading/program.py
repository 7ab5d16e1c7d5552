"""The two runs of a submission, as lists of kernel steps.

*Normal run*: the restored submission, every code cell in the student's order (what nbgrader's
autograde does), framed by the harness (a baseline before, a probe after).

*Clean run*: a fresh kernel that executes only **definitions** and then the instructor's test
cells. From every code cell that is not a test (solution cells, the student's own cells, the
lesson's cells) it keeps, via ``ast``:

- ``import`` / ``from ... import`` -- always;
- ``def``, ``class`` -- always in the student's cells, in the lesson's unchanged cells when needed;
- assignments to plain names (``W = np.array(...)``) -- only when a test or a kept definition
  needs the name (its free global names, transitively), so an answer given as a value is graded
  but a lesson's slow demo (training, plotting) is not re-run;

and drops every other top-level statement (calls, loops, attribute or item assignments such as
``np.allclose = ...``, ``get_ipython().input_transformers_cleanup.append(...)``). Each test runs as
its visible part, then its hidden part, between two probes that restore and check the environment.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from . import cells as C
from .harness import probe_code, setup_code
from .kernel import Step
from .static import ipython_to_python

#: the grader's own cells (imports and snapshot; probes) must not time out because the machine is busy
SETUP_TIMEOUT, PROBE_TIMEOUT = 120, 20
DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _target_names(node) -> set[str] | None:
    """Names bound by an assignment whose targets are all plain names (else None)."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = set()

    def collect(t) -> bool:
        if isinstance(t, ast.Starred):
            return collect(t.value)
        if isinstance(t, (ast.Tuple, ast.List)):  # also nested: (x_train, t_train), (x_test, t_test) = ...
            return all(collect(e) for e in t.elts)
        if isinstance(t, ast.Name):
            names.add(t.id)
            return True
        return False

    return names if all(collect(t) for t in targets) else None


def _bound(node) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    return _target_names(node) or set()


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
           ast.GeneratorExp)


def _locals(scope) -> set[str]:
    """Names local to a function, lambda or comprehension: parameters and everything it assigns."""
    names = set()
    for n in ast.walk(scope):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, ast.arg):
            names.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not scope:
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in n.names}
    return names


def _used(node) -> set[str]:
    """Global names that ``node`` reads (names local to its functions and comprehensions excluded)."""
    used = set()

    def visit(n, local):
        if isinstance(n, _SCOPES):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                a = n.args
                outer = list(a.defaults) + [d for d in a.kw_defaults if d is not None]
                if not isinstance(n, ast.Lambda):
                    outer += list(n.decorator_list) + ([n.returns] if n.returns else [])
                for o in outer:
                    visit(o, local)
                inner = n.body if isinstance(n.body, list) else [n.body]
            else:
                inner = [n]
            scope_local = local | _locals(n)
            for child in inner:
                if child is n:
                    for c in ast.iter_child_nodes(n):
                        visit(c, scope_local)
                else:
                    visit(child, scope_local)
            return
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in local:
            used.add(n.id)
        for c in ast.iter_child_nodes(n):
            visit(c, local)

    visit(node, frozenset())
    return used


def _parse(source: str):
    try:
        return ast.parse(ipython_to_python(source))
    except SyntaxError:
        return None


def _imported_modules(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [node.module]
    return []


@dataclass
class Program:
    steps: list          # kernel steps
    tests: list          # per test cell: dict(grade_id, points, visible, hidden, steps={...})
    modules: list        # modules imported by the kept code


def clean_program(nb, nonce: str, lesson_cells: set[str] = frozenset()) -> Program:
    """Steps of the clean run of the restored notebook ``nb`` (see the module docstring).

    ``lesson_cells``: normalised texts of the source's own code cells. In those (unchanged lesson
    code) a ``def`` or ``class`` is kept only when needed, like an assignment; in the student's
    cells (solution cells, cells they added or changed) always. Imports are always kept."""
    code = [c for c in nb.cells if c.get("cell_type") == "code"]
    stmts = []           # (cell position, node, always)
    needed = set()
    for pos, cell in enumerate(code):
        if C.is_test(cell):
            tree = _parse(C.text(cell))
            if tree is not None:
                needed |= _used(tree)
            continue
        tree = _parse(C.text(cell))
        if tree is None:
            continue
        lesson = not C.is_solution(cell) and C._norm(C.text(cell)) in lesson_cells
        for node in tree.body:
            if isinstance(node, DEFINITIONS):
                always = isinstance(node, (ast.Import, ast.ImportFrom)) or not lesson
                stmts.append((pos, node, always))
                if always:
                    needed |= _used(node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _target_names(node) \
                    and getattr(node, "value", None) is not None:
                stmts.append((pos, node, False))
    keep = [always for _, _, always in stmts]
    changed = True
    while changed:
        changed = False
        for k, (_, node, _) in enumerate(stmts):
            if not keep[k] and _bound(node) & needed:
                keep[k] = True
                needed |= _used(node)
                changed = True
    modules = sorted({m for k, (_, node, _) in enumerate(stmts) if keep[k] for m in _imported_modules(node)})
    steps = [Step(setup_code(nonce, modules), kind="setup", replay=True, history=False, min_timeout=SETUP_TIMEOUT)]
    tests = []
    pending: list[str] = []

    def flush():  # one step per cell: a failing statement stops only its own cell, as in the notebook
        for chunk in pending:
            steps.append(Step(chunk, kind="defs", replay=True))
        pending.clear()

    by_pos: dict[int, list[str]] = {}
    for k, (pos, node, _) in enumerate(stmts):
        if keep[k]:
            by_pos.setdefault(pos, []).append(ast.unparse(node))
    for pos, cell in enumerate(code):
        if not C.is_test(cell):
            if by_pos.get(pos):
                pending.append("\n".join(by_pos[pos]))
            continue
        flush()
        entry = test_entries_for(cell)
        n = len(tests)
        entry["steps"] = {"before": len(steps)}
        steps.append(Step(probe_code(f"before-{n}"), kind="probe", ref=n, history=False, min_timeout=PROBE_TIMEOUT))
        entry["steps"]["visible"] = len(steps)
        steps.append(Step(entry["visible"], kind="test", ref=n))
        if entry["hidden"].strip():
            entry["steps"]["hidden"] = len(steps)
            steps.append(Step(entry["hidden"], kind="hidden", ref=n))
        entry["steps"]["after"] = len(steps)
        steps.append(Step(probe_code(f"after-{n}"), kind="probe", ref=n, history=False, min_timeout=PROBE_TIMEOUT))
        tests.append(entry)
    return Program(steps=steps, tests=tests, modules=modules)


def test_entries_for(cell) -> dict:
    visible, hidden = C.split_hidden(C.text(cell))
    return {"grade_id": C.grade_id(cell), "points": C.points(cell), "source": C.text(cell),
            "visible": visible, "hidden": hidden}


def normal_program(nb, nonce: str) -> Program:
    """Steps of the normal run: every code cell of the restored notebook, in the student's order."""
    modules = []
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and not C.is_test(cell):
            tree = _parse(C.text(cell))
            if tree is not None:
                modules += [m for node in ast.walk(tree) for m in _imported_modules(node)]
    steps = [Step(setup_code(nonce, modules), kind="setup", history=False, min_timeout=SETUP_TIMEOUT)]
    tests = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        if C.is_test(cell):
            entry = test_entries_for(cell)
            entry["steps"] = {"cell": len(steps)}
            steps.append(Step(C.text(cell), kind="test", ref=len(tests)))
            tests.append(entry)
        else:
            steps.append(Step(C.text(cell), kind="code"))
    steps.append(Step(probe_code("end"), kind="probe", history=False, min_timeout=PROBE_TIMEOUT))
    return Program(steps=steps, tests=tests, modules=sorted(set(modules)))
