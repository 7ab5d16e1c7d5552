"""The student's side of grading: run the notebook's cells, answer the grader's requests.

    python -m course_lib.grading.worker

The grader starts this process (in the sandbox when it grades, as a plain process for a student's self-check)
and talks to it over its stdin and stdout with the frames of ``course_lib.grading.channel``. Before any of the
student's code runs, the two are moved to private file descriptors and replaced by ``/dev/null`` (stderr too),
and ``sys.stdout``/``sys.stderr`` discard what they get, so that prints cannot corrupt the channel.

Cells run in an IPython ``InteractiveShell`` (so ``%magics`` work; plots go to Agg and ``display`` prints
nowhere; there is no Jupyter kernel). Requests, each answered by one reply::

    run CODE           run a cell                       get NAME          a global of the notebook
    call H ARGS        call the object with handle H     getattr / setattr / getitem / setitem / len / iter
    convert H KIND     np.asarray, bool, float, int, operator.index or complex of the object
    new CLASS ARGS     an instance of a course_lib class (``course_lib.checks.on_student_side``)

While the student's code runs for a request, warnings are recorded (and sent with the reply) and an alarm
interrupts it after the request's ``timeout`` seconds (the grader also kills the whole process from outside).
Every reply (and every call of a function of the test) carries the current contents of the arrays, lists and
dicts the grader passed in, and refers to those by reference rather than copying them back as new values. When
the student's code calls a function of the test, the worker serves the grader's requests until its result arrives.
Nothing here is trusted: the student's code shares this process and may rewrite any of it. The grader decides
from the values it receives, never from what this process says about them.
"""
from __future__ import annotations

import builtins
import importlib
import itertools
import operator
import os
import re
import signal
import sys
import warnings

import numpy as np

from .channel import MAX_ITEMS, Decoder, Encoder, ProtocolError, array_update, read_frame, write_frame

EXTRA_EXCEPTIONS = (("course_lib.layers", "ShapeError"), ("numpy.exceptions", "AxisError"),
                    ("numpy.linalg", "LinAlgError"))
EXTRA_WARNINGS = (("numpy.exceptions", "ComplexWarning"), ("numpy.exceptions", "VisibleDeprecationWarning"),
                  ("numpy.exceptions", "RankWarning"))
CONVERSIONS = {"array": np.asarray, "bool": bool, "float": float, "int": int, "index": operator.index,
               "complex": complex}


class Interrupted(BaseException):
    """The request's time is up (raised by the alarm inside the student's code)."""


class TestFunctionFailed(Exception):
    """A function of the test raised (the grader keeps the error; the student's code sees only this)."""

    def __init__(self, ident):
        super().__init__("a function of the test raised an error")
        self.ident = ident


class TestFunction:
    """A function defined by the test, as the student's code sees it: calling it asks the grader."""

    __slots__ = ("_worker", "_id")

    def __init__(self, worker, ident):
        self._worker, self._id = worker, ident

    def __call__(self, *args, **kwargs):
        return self._worker.callback(self._id, args, kwargs)

    def __repr__(self):
        return "<a function of the test>"


def _on_alarm(signum, frame):
    raise Interrupted()


def alarm(seconds: float) -> float:
    """Arm the alarm (0 disarms it); returns the seconds that were left. No alarm where there is no SIGALRM."""
    if not hasattr(signal, "setitimer"):
        return 0.0
    return signal.setitimer(signal.ITIMER_REAL, max(float(seconds), 0.0))[0]


def _class_name(cls) -> str:
    try:
        name = str(type.__dict__["__name__"].__get__(cls))
    except Exception:  # noqa: BLE001 -- a class whose name cannot be read
        return "object"
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,59}", name) else "object"


def _known(cls, extras) -> bool:
    return any(getattr(sys.modules.get(mod), name, None) is cls for mod, name in extras)


def describe(error: BaseException) -> dict:
    """``{"name", "base", "text"}``: the error's class name, the builtin (or known) class it derives from, and
    the last line of its message (at most 200 characters)."""
    base = ""
    for cls in type(error).__mro__:
        builtin = getattr(builtins, cls.__name__, None) is cls and issubclass(cls, Exception)
        if builtin or _known(cls, EXTRA_EXCEPTIONS):
            base = cls.__name__
            break
    try:
        lines = str(error).strip().splitlines()
    except Exception:  # noqa: BLE001 -- a __str__ that fails
        lines = []
    return {"name": _class_name(type(error)), "base": base, "text": lines[-1][:200] if lines else ""}


def _warning(record) -> dict:
    cat = next((c.__name__ for c in record.category.__mro__
                if getattr(builtins, c.__name__, None) is c or _known(c, EXTRA_WARNINGS)), "UserWarning")
    return {"cat": cat, "msg": str(record.message)[:300]}


def _make_shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Shell(InteractiveShell):
        """IPython without a kernel: ``%matplotlib`` keeps the Agg backend, there is no GUI event loop."""

        def enable_gui(self, gui=None):
            pass

        def enable_matplotlib(self, gui=None):
            return gui, "agg"

    config = Config()
    config.HistoryManager.enabled = False
    return Shell.instance(config=config)


class Call:
    """What the grader passed in with one active request: its arrays and lists/dicts (copied back) and its
    test functions."""

    def __init__(self):
        self.arrays, self.containers, self.callbacks = [], [], set()


class Worker:
    def __init__(self, fd_in: int, fd_out: int):
        self.fd_in, self.fd_out = fd_in, fd_out
        self.objects, self.handles = {}, {}    # handle -> object, id(object) -> handle
        self.calls = []                        # the active requests, innermost last
        self.shell = _make_shell()

    # ------------------------------------------------------------ the channel
    def send(self, header: dict, buffers=()) -> None:
        write_frame(self.fd_out, header, buffers)

    def serve(self) -> None:
        while True:
            try:
                header, buffers = read_frame(self.fd_in)
            except EOFError:
                return
            try:
                reply = self.handle(header, buffers)
            except Interrupted:   # the alarm went off just as the student's code ended
                reply = {"re": "timeout"}, []
            self.send(*reply)

    def export(self, x) -> dict:
        handle = self.handles.get(id(x))
        if handle is None:
            handle = self.handles[id(x)] = len(self.objects) + 1
            self.objects[handle] = x
        return {"R": handle, "ty": _class_name(type(x))}

    def resolve(self, call: Call):
        def resolve(tag, v):
            if tag == "R":
                if v["R"] not in self.objects:
                    raise ProtocolError("no such object")
                return self.objects[v["R"]]
            if tag == "CB":
                call.callbacks.add(v["CB"])
                return TestFunction(self, v["CB"])
            depth, i = v[tag]
            found = self.calls[depth].arrays if tag == "ARG" else self.calls[depth].containers
            return found[i]
        return resolve

    def encoder(self) -> Encoder:
        """An encoder that sends what the grader passed in (and still has) as references to it."""
        known = {}
        for depth, call in enumerate(self.calls):
            known.update({id(a): {"ARG": [depth, i]} for i, a in enumerate(call.arrays)})
            known.update({id(c): {"ARGC": [depth, j]} for j, c in enumerate(call.containers)})
        return Encoder(self.export, known)

    def sync(self, encoder: Encoder) -> dict:
        """The current contents of every array, list and dict the active requests received (``sync``, ``csync``)."""
        arrays, containers = [], []
        for depth, call in enumerate(self.calls):
            for i, arr in enumerate(call.arrays):
                desc, buf = array_update(arr)
                arrays.append({"d": depth, "i": i, "b": len(encoder.buffers), **desc})
                encoder.buffers.append(buf)
            for j, cont in enumerate(call.containers):
                if len(cont) <= MAX_ITEMS:
                    items = ([encoder.encode(v) for v in cont] if type(cont) is list else
                             [[encoder.encode(k), encoder.encode(v)] for k, v in cont.items()])
                    containers.append({"d": depth, "j": j, "items": items})
        return {"sync": arrays, "csync": containers}

    # ------------------------------------------------------------ requests
    def handle(self, header: dict, buffers) -> tuple[dict, list]:
        op, call = header.get("op"), Call()
        self.calls.append(call)   # so that references to this request's arguments resolve
        try:
            return self._handle(op, header, Decoder(buffers, self.resolve(call)), call)
        finally:
            self.calls.pop()

    def _handle(self, op, header, decoder, call) -> tuple[dict, list]:
        try:
            if op == "run":
                return self.run_cell(str(header["code"]), float(header.get("timeout", 0))), []
            if op == "get":
                name = str(header["name"])
                if name not in self.shell.user_ns:
                    return {"re": "missing"}, []
                return self.reply(lambda: self.shell.user_ns[name], 0)
            obj = self.objects[header["h"]] if op != "new" else None
            args, kwargs, key, value = (decoder.decode(header[f]) if f in header else empty
                                        for f, empty in (("args", []), ("kwargs", {}), ("key", None), ("value", None)))
            name = str(header.get("name", ""))
        except (KeyError, TypeError, ValueError, ProtocolError) as e:
            return {"re": "err", "err": {"name": "RuntimeError", "base": "RuntimeError",
                                         "text": f"bad request ({type(e).__name__})"}}, []
        call.arrays, call.containers = decoder.arrays, decoder.containers
        if name.startswith("__") and name.endswith("__"):
            return {"re": "err", "err": {"name": "AttributeError", "base": "AttributeError",
                                         "text": "special attributes are not available"}}, []
        actions = {
            "call": lambda: obj(*args, **kwargs),
            "getattr": lambda: getattr(obj, name),
            "setattr": lambda: setattr(obj, name, value),
            "getitem": lambda: obj[key],
            "setitem": lambda: operator.setitem(obj, key, value),
            "len": lambda: len(obj),
            "iter": lambda: list(itertools.islice(iter(obj), MAX_ITEMS + 1)),
            "convert": lambda: CONVERSIONS[name](obj),
            "new": lambda: _course_class(name)(*args, **kwargs),
        }
        if op not in actions:
            return {"re": "err", "err": {"name": "RuntimeError", "base": "RuntimeError", "text": "unknown request"}}, []
        return self.reply(actions[op], float(header.get("timeout", 0)))

    def reply(self, action, timeout: float) -> tuple[dict, list]:
        """Run ``action`` (the student's code) with the alarm armed and warnings recorded; encode the result and
        the current contents of what the grader passed in."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            alarm(timeout)
            try:
                try:
                    result, header = action(), {"re": "ok"}
                except Interrupted:
                    raise
                except TestFunctionFailed as e:
                    result, header = None, {"re": "err", "cberr": e.ident}
                except BaseException as e:  # noqa: BLE001 -- whatever the student's code raised
                    result, header = None, {"re": "err", "err": describe(e)}
            except Interrupted:
                result, header = None, {"re": "timeout"}
            finally:
                alarm(0)
        encoder = self.encoder()
        if header["re"] == "ok":
            header["v"] = encoder.encode(result)
        header.update(self.sync(encoder))
        header["warn"] = [_warning(w) for w in caught[:20]]
        return header, encoder.buffers

    def run_cell(self, code: str, timeout: float) -> dict:
        alarm(timeout)
        try:
            result = self.shell.run_cell(code, store_history=True)
            error = result.error_before_exec or result.error_in_exec
        except Interrupted as e:
            error = e
        finally:
            alarm(0)
        if "matplotlib.pyplot" in sys.modules:  # figures are drawn nowhere: free their memory
            sys.modules["matplotlib.pyplot"].close("all")
        if isinstance(error, Interrupted):
            return {"re": "timeout"}
        if error is not None:
            return {"re": "err", "err": describe(error)}
        return {"re": "ok"}

    # ------------------------------------------------------------ the test's functions
    def callback(self, ident, args, kwargs):
        if not any(ident in call.callbacks for call in self.calls):
            raise RuntimeError("this function of the test is no longer available")
        encoder = self.encoder()
        header = {"op": "cb", "cb": ident, "args": encoder.encode(list(args)), "kwargs": encoder.encode(dict(kwargs))}
        header.update(self.sync(encoder))
        left = alarm(0)   # the test's function runs on the grader's clock
        try:
            self.send(header, encoder.buffers)
            while True:
                reply, buffers = read_frame(self.fd_in)
                if "re" in reply:
                    break
                self.send(*self.handle(reply, buffers))   # the test's function asks something of the student's code
        finally:
            if left:
                alarm(left)
        if reply["re"] == "ok":
            return Decoder(buffers, self.resolve(Call())).decode(reply["v"])
        raise TestFunctionFailed(reply.get("cberr"))


def _course_class(qualname: str):
    """The ``course_lib`` class ``module:qualname`` (what ``course_lib.checks.on_student_side`` asks for)."""
    module, _, name = qualname.partition(":")
    if not (module == "course_lib" or module.startswith("course_lib.")) or module.startswith("course_lib.grading"):
        raise TypeError(f"only classes of course_lib can be made here, not {module}")
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    if not isinstance(obj, type):
        raise TypeError(f"{qualname} is not a class")
    return obj


def main() -> None:
    fd_in, fd_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.set_inheritable(fd_in, False)
    os.set_inheritable(fd_out, False)
    if hasattr(signal, "SIGALRM"):
        signal.signal(signal.SIGALRM, _on_alarm)
    worker = Worker(fd_in, fd_out)   # imports IPython: errors until here still reach stderr
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w")
    worker.send({"hello": 1})
    worker.serve()


if __name__ == "__main__":
    main()
