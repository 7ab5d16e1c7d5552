"""Code that the grader runs *inside* the kernel, before and between the student's code.

``setup_code(nonce, modules)`` imports the modules the notebook uses and records the state a fair
run must keep: the attributes of those modules (and of ``builtins`` and ``sys``), ``sys.modules``,
the IPython shell's input/AST transformers, event callbacks and methods, trace and profile hooks.
``probe_code(nonce, tag)`` compares the current state with that record, **puts the record back**
(so a test never runs against a patched ``np.allclose`` or behind an input transformer) and prints
one line ``<marker> <nonce> <json>`` listing what had changed. A probe whose line does not come
back (swallowed output, blanked cell) is itself evidence of tampering.
"""
from __future__ import annotations

import json

MARKER = "@@course-grading-probe@@"

_SETUP = r'''
def _course_grading_setup(nonce, module_names):
    import builtins, importlib, json, sys, types
    ip = get_ipython()
    for name in module_names:
        try:
            importlib.import_module(name)
        except BaseException:
            pass
    # display machinery changes itself when a figure or widget is first shown: not watched
    display = {"matplotlib", "matplotlib_inline", "mpl_toolkits", "IPython", "ipykernel", "ipywidgets",
               "tqdm", "PIL", "traitlets", "comm"}
    roots = ({n.split(".")[0] for n in module_names} | {"builtins", "sys", "numpy", "math"}) - display

    def trusted(obj):
        mod = getattr(getattr(obj, "__func__", obj), "__module__", None) or ""
        return mod.split(".")[0] in display
    missing = object()
    # rebound by ipykernel itself around every execution
    volatile = {("builtins", "input"), ("builtins", "raw_input"), ("sys", "excepthook"), ("getpass", "getpass")}

    def watched():
        return {n: m for n, m in list(sys.modules.items())
                if isinstance(m, types.ModuleType) and n.split(".")[0] in roots}

    def snapshot(mod):
        try:
            d = vars(mod)
        except TypeError:
            return {}
        return {k: v for k, v in list(d.items())
                if not (k.startswith("__") and k.endswith("__")) and k != "_"
                and (getattr(mod, "__name__", None), k) not in volatile
                and (callable(v) or isinstance(v, types.ModuleType))}

    modules = {n: (m, snapshot(m)) for n, m in watched().items()}
    lists = {
        "input_transformers_cleanup": ip.input_transformers_cleanup,
        "input_transformers_post": ip.input_transformers_post,
        "input_transformer_manager.line_transforms": ip.input_transformer_manager.line_transforms,
        "ast_transformers": ip.ast_transformers,
    }
    lists.update({"events." + k: v for k, v in ip.events.callbacks.items()})
    list_items = {k: list(v) for k, v in lists.items()}
    holders = {"input_transformers_cleanup": (ip, "input_transformers_cleanup"),
               "input_transformers_post": (ip, "input_transformers_post"),
               "ast_transformers": (ip, "ast_transformers"),
               "input_transformer_manager.line_transforms": (ip.input_transformer_manager, "line_transforms")}
    shell_methods = {k for k, v in vars(ip).items() if callable(v)}
    classes = {c: {k: v for k, v in vars(c).items() if callable(v)} for c in type(ip).__mro__[:-1]}
    shell_values = {"input_transformer_manager": ip.input_transformer_manager, "compile": ip.compile,
                    "custom_exceptions": ip.custom_exceptions, "CustomTB": getattr(ip, "CustomTB", None),
                    "displayhook": ip.displayhook, "display_pub": ip.display_pub}
    sys_values = {k: getattr(sys, k) for k in ("stdout", "stderr", "displayhook")}
    sys_lists = {"meta_path": list(sys.meta_path), "path_hooks": list(sys.path_hooks)}
    hooks = (sys.gettrace(), sys.getprofile())

    def check_and_restore():
        found = []
        for name, (mod, attrs) in modules.items():
            if sys.modules.get(name, mod) is not mod:
                found.append(f"sys.modules[{name!r}] was replaced")
                sys.modules[name] = mod
            try:
                d = vars(mod)
            except TypeError:
                continue
            for k, v in attrs.items():
                if d.get(k, missing) is not v:
                    found.append(f"{name}.{k} was rebound")
                    try:
                        setattr(mod, k, v)
                    except Exception:
                        pass
        for key, lst in lists.items():
            holder = holders.get(key)
            if holder is not None and getattr(*holder) is not lst:
                found.append(f"IPython shell: {key} was replaced")
                setattr(*holder, lst)
            base = list_items[key]
            if key.startswith("events.") and all(any(x is y for y in base) or trusted(x) for x in lst) \
                    and all(any(x is y for y in lst) for x in base):
                list_items[key] = list(lst)  # e.g. matplotlib's inline backend registering flush_figures
                continue
            if len(lst) != len(base) or any(a is not b for a, b in zip(lst, base)):
                found.append(f"IPython shell: {key} was changed")
                lst[:] = list_items[key]
        for k in list(vars(ip)):
            if k not in shell_methods and callable(vars(ip)[k]) and hasattr(type(ip), k):
                found.append(f"IPython shell: method {k} was replaced")
                delattr(ip, k)
        for c, attrs in classes.items():
            for k, v in attrs.items():
                if vars(c).get(k, missing) is not v:
                    found.append(f"IPython shell: {c.__name__}.{k} was replaced")
                    setattr(c, k, v)
        for k, v in shell_values.items():
            if getattr(ip, k, None) is not v:
                found.append(f"IPython shell: {k} was replaced")
                setattr(ip, k, v)
        for k, v in sys_values.items():
            if getattr(sys, k) is not v:
                found.append(f"sys.{k} was replaced")
                setattr(sys, k, v)
        for k, v in sys_lists.items():
            cur = getattr(sys, k)
            if len(cur) != len(v) or any(a is not b for a, b in zip(cur, v)):
                found.append(f"sys.{k} was changed")
                cur[:] = v
        if (sys.gettrace(), sys.getprofile()) != hooks:
            found.append("a trace/profile hook was installed")
            sys.settrace(hooks[0])
            sys.setprofile(hooks[1])
        return found

    def probe(tag):
        found = check_and_restore()
        sys.stdout.write("\n" + "@@course-grading-probe@@ " + nonce + " "
                         + json.dumps({"tag": tag, "problems": found}) + "\n")
        sys.stdout.flush()

    return probe


_course_grading_probe = _course_grading_setup(NONCE, MODULES)
del _course_grading_setup
'''


def setup_code(nonce: str, modules: list[str]) -> str:
    return _SETUP.replace("NONCE", json.dumps(nonce)).replace("MODULES", json.dumps(sorted(set(modules))))


def probe_code(tag: str) -> str:
    return f"_course_grading_probe({json.dumps(tag)})"


def parse_probe(stdout: str, nonce: str) -> dict | None:
    """The probe's report in ``stdout``, or None when it did not come back intact (missing, forged
    with a wrong nonce, or accompanied by a second report that something else printed)."""
    lines = [line for line in stdout.splitlines() if MARKER in line]
    if len(lines) != 1 or not lines[0].startswith(MARKER + " "):
        return None
    parts = lines[0].split(" ", 2)
    if len(parts) != 3 or parts[1] != nonce:
        return None
    try:
        report = json.loads(parts[2])
    except ValueError:
        return None
    return report if isinstance(report, dict) and isinstance(report.get("problems"), list) else None
