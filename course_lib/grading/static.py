"""Static integrity checks: find code that tampers with the grader instead of solving the exercise.

Reads the student's code (every unlocked code cell that differs from the instructor's) with
``ast`` and reports, with cell and line:

- rebinding or deleting an attribute of an imported module (``np.allclose = ...``,
  ``setattr(np, "allclose", ...)``, ``del np.testing``), of ``sys`` or of ``builtins``;
- manipulating the IPython shell: ``get_ipython`` (other than the calls IPython itself writes for
  ``%magics``), importing ``IPython`` / ``ipykernel``, the input history (``In``, ``_ih``);
- reaching around Python: ``sys.modules``, ``sys.settrace`` / ``setprofile`` / ``_getframe``,
  ``__builtins__`` / ``builtins``, ``__import__``, ``importlib``, ``gc``, ``ctypes``, ``inspect``
  frames, ``exec`` / ``eval`` / ``compile``.

None of this is needed to solve a course exercise; anything found is flagged ``integrity`` for the
instructor to look at (the score comes from the clean re-run either way).
"""
from __future__ import annotations

import ast

SUSPICIOUS_MODULES = {"IPython", "ipykernel", "builtins", "importlib", "gc", "ctypes", "inspect", "traitlets",
                      "jupyter_client", "zmq", "nbclient", "nbgrader"}
SUSPICIOUS_NAMES = {"get_ipython", "__builtins__", "__import__", "exec", "eval", "compile", "_ih", "In",
                    "globals", "vars", "__loader__", "__spec__"}
SUSPICIOUS_SYS = {"modules", "settrace", "setprofile", "_getframe", "meta_path", "path_hooks", "excepthook",
                  "displayhook", "stdout", "stderr", "addaudithook", "set_asyncgen_hooks"}
MAGIC_CALLS = {"run_line_magic", "run_cell_magic", "system", "getoutput"}


def ipython_to_python(source: str) -> str:
    """Cell text as Python (``%magic`` and ``!shell`` lines become ``get_ipython()`` calls).

    A cell magic (``%%time``, ``%%capture``, ...) is unwrapped: its body is the code that runs."""
    stripped = source.lstrip()
    if stripped.startswith("%%"):
        return ipython_to_python(stripped.split("\n", 1)[1] if "\n" in stripped else "")
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(source)
    except Exception:
        return source


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def imported_names(trees) -> set[str]:
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    names.add(a.asname or a.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom):
                for a in node.names:
                    names.add(a.asname or a.name)
    return names | {"sys", "builtins", "__builtins__"}


def _magic_call(node, parents) -> bool:
    """``get_ipython().run_line_magic(...)`` as written by IPython for a ``%magic`` line."""
    call = parents.get(node)
    attr = parents.get(call)
    return (isinstance(call, ast.Call) and call.func is node and isinstance(attr, ast.Attribute)
            and attr.attr in MAGIC_CALLS)


def _trees(cells):
    out = []
    for number, source in cells:
        try:
            out.append((number, ast.parse(ipython_to_python(source))))
        except SyntaxError:
            continue
    return out


def findings(cells: list[tuple[int, str]], context: list[str] = ()) -> list[str]:
    """Suspicious constructs in ``cells`` (``(cell_number, source)`` pairs), as readable strings.

    ``context``: the notebook's other code (not checked, but its imports tell which names are modules).
    """
    trees = _trees(cells)
    modules = imported_names([t for _, t in trees] + [t for _, t in _trees(enumerate(context))])
    found = []

    def add(number, node, what):
        found.append(f"cell {number}, line {getattr(node, 'lineno', '?')}: {what}")

    for number, tree in trees:
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for m in mods:
                    if m.split(".")[0] in SUSPICIOUS_MODULES:
                        add(number, node, f"imports {m}")
                if isinstance(node, ast.ImportFrom) and (node.module or "") == "sys":
                    for a in node.names:
                        if a.name in SUSPICIOUS_SYS:
                            add(number, node, f"imports sys.{a.name}")
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for t in targets:
                    for sub in ast.walk(t):
                        if isinstance(sub, (ast.Attribute, ast.Subscript)) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                            root = _root(sub)
                            if root in modules:
                                verb = "deletes" if isinstance(node, ast.Delete) else "rebinds"
                                add(number, node, f"{verb} {ast.unparse(sub)} (an attribute of an imported module)")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr"):
                if node.args:
                    first = node.args[0]
                    root = _root(first)
                    if root in modules or not isinstance(first, ast.Name):
                        add(number, node, f"{node.func.id}({ast.unparse(first)}, ...) on a module or computed object")
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in SUSPICIOUS_NAMES:
                if node.id == "get_ipython" and _magic_call(node, parents):
                    continue
                add(number, node, f"uses {node.id}")
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sys" \
                    and node.attr in SUSPICIOUS_SYS:
                add(number, node, f"uses sys.{node.attr}")
            elif isinstance(node, ast.Attribute) and node.attr in ("__globals__", "__closure__", "__code__",
                                                                     "f_globals", "f_locals", "f_back",
                                                                     "__subclasses__", "__dict__"):
                add(number, node, f"uses .{node.attr}")
    return sorted(set(found), key=lambda s: (int(s.split(",")[0].split()[1]), s))
