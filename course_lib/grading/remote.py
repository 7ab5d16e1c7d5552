"""The student's process, seen from the grader's trusted side: its values arrive as plain data or proxies.

``Student(process)`` wraps a running ``course_lib.grading.worker`` (sandboxed or not). ``run_cell(code)`` runs a
cell there; ``get(name)`` fetches a global of the notebook:

- plain data (numbers, strings, ``None``, lists/tuples/dicts of those, NumPy arrays and scalars of numeric or bool
  dtype) arrives as genuine objects that this process builds itself (``type(x) is np.ndarray``, never a subclass);
- anything else -- the student's functions, classes, instances, and ndarray or float subclasses -- arrives as a
  :class:`Proxy`: call it, read or assign its attributes, index it, ``len``/``iter`` it, or turn it into plain data
  (``np.asarray``, ``float``, ``int``, ``bool``). A proxy never compares itself with anything (``==`` is identity),
  so a student's object cannot answer a test's comparison; ``repr`` is local.

Arguments going in: plain data, proxies, and functions of the test (the student's code may call them back; they
run here, on plain data). Arrays, lists and dicts are copied in; after the call (also when it raises) and before
each call of a test's function, the student's side sends their current contents and they are written into the
caller's objects in place (an array the student returns or passes on comes back as the caller's own array).
``make(cls, ...)`` creates an instance of a ``course_lib`` class in the student's process
(``course_lib.checks.on_student_side``).
Exceptions of the student's code arrive as the same builtin class (``ValueError``, ``NotImplementedError``,
``course_lib.layers.ShapeError``, ...) with only the last line of the message; a student's ``AssertionError``
(and any other class) arrives as a :class:`StudentCodeError` subclass of that name, so it never looks like a
failed check. Warnings are re-emitted at the call. Time is bounded by ``deadline`` (``time.monotonic()``): the
worker interrupts itself then, and a process that does not answer ``GRACE`` seconds later is killed.
"""
from __future__ import annotations

import builtins
import itertools
import os
import queue
import re
import signal
import threading
import time
import warnings

import numpy as np

from .channel import Decoder, Encoder, ProtocolError, apply_update, read_frame, write_frame

GRACE = 3.0            # seconds between the worker's own alarm and killing it
MISSING = object()     # get(): the notebook has no such name


class StudentProcessError(BaseException):
    """The student's process failed as a whole (not an exception of one call). A ``BaseException``, so that a
    test's ``except Exception`` cannot swallow it."""


class StudentTimeout(StudentProcessError):
    """The student's code did not finish in time (``killed``: the process had to be killed)."""

    def __init__(self, killed: bool = False):
        super().__init__("the student's code did not finish in time")
        self.killed = killed


class StudentDied(StudentProcessError):
    """The student's process ended (``os._exit``, a crash, a signal, the memory limit)."""


class ProtocolViolation(StudentProcessError):
    """The student's process sent something the protocol does not allow: it was tampered with."""


class StudentCodeError(Exception):
    """An exception of the student's code whose class is not a builtin one (its name is the student's)."""


def _exception_classes() -> dict:
    out = {}
    for name in dir(builtins):
        cls = getattr(builtins, name)
        if isinstance(cls, type) and issubclass(cls, Exception) and cls is not AssertionError \
                and not issubclass(cls, (StopIteration, StopAsyncIteration, Warning, *_GROUPS)):
            try:
                cls("x")
            except Exception:  # noqa: BLE001 -- classes that need other arguments
                continue
            out[name] = cls
    from ..layers import ShapeError
    out.update(ShapeError=ShapeError, AxisError=_numpy_class("AxisError"), LinAlgError=np.linalg.LinAlgError)
    return out


def _numpy_class(name: str):
    """A class of ``numpy.exceptions`` (NumPy >= 1.25), or of ``numpy`` itself before."""
    try:
        from numpy import exceptions
    except ImportError:
        return getattr(np, name)
    return getattr(exceptions, name)


_GROUPS = tuple(getattr(builtins, n) for n in ("BaseExceptionGroup",) if hasattr(builtins, n))


EXCEPTIONS = _exception_classes()
WARNINGS = {name: getattr(builtins, name) for name in dir(builtins)
            if isinstance(getattr(builtins, name), type) and issubclass(getattr(builtins, name), Warning)}
WARNINGS.update({name: _numpy_class(name) for name in ("ComplexWarning", "RankWarning", "VisibleDeprecationWarning")})
_SUBCLASSES: dict = {}


def student_error(err) -> Exception:
    """The exception to raise for an ``{"name", "base", "text"}`` error report of the student's side."""
    err = err if isinstance(err, dict) else {}
    name, base, text = (str(err.get(k, ""))[:200] for k in ("name", "base", "text"))
    cls = EXCEPTIONS.get(base, StudentCodeError)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,59}", name):
        name = cls.__name__
    if name != cls.__name__:
        key = (name, cls)
        if key not in _SUBCLASSES and len(_SUBCLASSES) < 200:
            _SUBCLASSES[key] = type(name, (cls,), {"__module__": "student"})
        cls = _SUBCLASSES.get(key, StudentCodeError)
    error = cls(text)
    error.from_student = True
    return error


class Proxy:
    """An object that stays in the student's process. See the module docstring for what it supports."""

    __slots__ = ("_student", "_handle", "_type")

    def __init__(self, student, handle: int, type_name: str):
        object.__setattr__(self, "_student", student)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_type", type_name)

    def _op(self, op, **fields):
        return self._student.request({"op": op, "h": self._handle}, **fields)

    def __call__(self, *args, **kwargs):
        return self._op("call", args=list(args), kwargs=dict(kwargs))

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._op("getattr", name=name)

    def __setattr__(self, name, value):
        self._op("setattr", name=name, value=value)

    def __getitem__(self, key):
        return self._op("getitem", key=key)

    def __setitem__(self, key, value):
        self._op("setitem", key=key, value=value)

    def __len__(self):
        return self._op("len")

    def __iter__(self):
        return iter(self._op("iter"))

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._op("convert", name="array"), dtype=dtype)

    def __bool__(self):
        return self._op("convert", name="bool")

    def __float__(self):
        return self._op("convert", name="float")

    def __int__(self):
        return self._op("convert", name="int")

    def __index__(self):
        return self._op("convert", name="index")

    def __complex__(self):
        return self._op("convert", name="complex")

    def __repr__(self):
        return f"<your {self._type} object>"

    def __copy__(self):   # copy.copy / copy.deepcopy (call_unchanged): still the same object of the student's
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce_ex__(self, protocol):
        raise TypeError("the student's objects cannot be pickled")


class _Call:
    """What one active request passed in: arrays and lists/dicts (updated from the student's side), functions."""

    def __init__(self):
        self.arrays, self.containers, self.callbacks = [], [], {}


class Student:
    """A running worker process. ``deadline`` bounds every request (``time.monotonic()`` seconds)."""

    def __init__(self, process, startup_timeout: float = 120.0):
        self.process = process
        self.deadline = time.monotonic() + startup_timeout
        self.memory_error = False             # the student's code raised MemoryError somewhere
        self._calls, self._errors = [], {}    # active requests; errors of the test's functions by id
        self._ids = itertools.count(1)
        self._frames: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        hello, _ = self._receive()
        if hello.get("hello") != 1:
            self.kill()
            raise ProtocolViolation("the worker did not start properly")

    # ------------------------------------------------------------ process
    def _read(self) -> None:
        fd = self.process.stdout.fileno()
        while True:
            try:
                self._frames.put(read_frame(fd))
            except (EOFError, OSError):
                self._frames.put(None)
                return
            except ProtocolError as e:
                self._frames.put(e)
                return

    def _receive(self):
        left = self.deadline + GRACE - time.monotonic()
        try:
            item = self._frames.get(timeout=max(left, 0.001))
        except queue.Empty:
            self.kill()
            raise StudentTimeout(killed=True) from None
        if item is None:
            self.kill()
            raise StudentDied("the student's process ended")
        if isinstance(item, ProtocolError):
            self.kill()
            raise ProtocolViolation(str(item))
        return item

    def _send(self, header, buffers=()) -> None:
        try:
            write_frame(self.process.stdin.fileno(), header, buffers)
        except OSError:
            self.kill()
            raise StudentDied("the student's process ended") from None

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Kill the process and everything it started (the sandbox, or the worker's process group)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (AttributeError, OSError):
                self.process.kill()
        self.process.wait()
        for f in (self.process.stdin, self.process.stdout):
            try:
                f.close()
            except OSError:
                pass

    # ------------------------------------------------------------ requests
    def run_cell(self, code: str, timeout: float) -> dict:
        """Run a cell: ``{"re": "ok"}``, ``{"re": "err", "err": {...}}`` or ``{"re": "timeout"}``."""
        self.deadline = time.monotonic() + timeout
        self._send({"op": "run", "code": code, "timeout": timeout})
        reply, _ = self._receive()
        if reply.get("re") not in ("ok", "err", "timeout"):
            self.kill()
            raise ProtocolViolation("unexpected reply to a cell")
        if reply.get("re") == "err" and (reply.get("err") or {}).get("base") == "MemoryError":
            self.memory_error = True
        return reply

    def get(self, name: str):
        """The notebook's global ``name`` (plain data or a proxy), or ``MISSING``."""
        return self.request({"op": "get", "name": name})

    def request(self, header: dict, **values):
        """Send a request (``values`` are encoded), serve the test's functions it calls, return its result."""
        call = _Call()
        encoder = Encoder(self._other(call))
        if "name" in values:
            header["name"] = values.pop("name")
        for key in ("args", "kwargs", "key", "value"):   # the order the worker decodes them in
            if key in values:
                header[key] = encoder.encode(values[key])
        call.arrays, call.containers = encoder.arrays, encoder.containers
        header["timeout"] = max(self.deadline - time.monotonic(), 0.001)
        self._calls.append(call)
        try:
            self._send(header, encoder.buffers)
            while True:
                reply, buffers = self._receive()
                self._copy_back(reply, buffers)
                if "re" in reply:
                    break
                if reply.get("op") != "cb":
                    self.kill()
                    raise ProtocolViolation("unexpected message")
                self._callback(reply, buffers)
            for w in reply.get("warn", [])[:20] if isinstance(reply.get("warn"), list) else []:
                if isinstance(w, dict):
                    warnings.warn(str(w.get("msg", ""))[:300], WARNINGS.get(w.get("cat"), UserWarning), stacklevel=4)
            return self._result(reply, buffers)
        finally:
            self._calls.pop()

    def make(self, cls, *args, **kwargs):
        """An instance of the ``course_lib`` class ``cls``, made in the student's process (a proxy)."""
        return self.request({"op": "new"}, name=f"{cls.__module__}:{cls.__qualname__}", args=list(args),
                            kwargs=dict(kwargs))

    def _result(self, reply, buffers):
        kind = reply.get("re")
        if kind == "ok":
            return self._decode(buffers, reply.get("v"))
        if kind == "missing":
            return MISSING
        if kind == "timeout":
            raise StudentTimeout()
        if kind == "err" and "cberr" in reply:
            error = self._errors.pop(reply["cberr"], None)
            if isinstance(error, BaseException):
                raise error
        if kind == "err":
            error = student_error(reply.get("err"))
            if isinstance(error, MemoryError):
                self.memory_error = True
            raise error
        self.kill()
        raise ProtocolViolation("unexpected reply")

    def _decoder(self, buffers) -> Decoder:
        def resolve(tag, v):
            if tag == "R":
                return Proxy(self, v["R"], str(v.get("ty", "object"))[:60])
            if tag in ("ARG", "ARGC"):
                depth, i = v[tag]
                if 0 <= depth < len(self._calls):
                    found = self._calls[depth].arrays if tag == "ARG" else self._calls[depth].containers
                    if 0 <= i < len(found):
                        return found[i]
            raise ProtocolError(f"bad reference {tag}")
        return Decoder(buffers, resolve)

    def _decode(self, buffers, tree):
        try:
            return self._decoder(buffers).decode(tree)
        except ProtocolError as e:
            self.kill()
            raise ProtocolViolation(str(e)) from None

    def _other(self, call: _Call):
        def other(x):
            if type(x) is Proxy and x._student is self:
                return {"R": x._handle, "ty": x._type}
            if callable(x) and not isinstance(x, (type, Proxy)):
                ident = next(self._ids)
                call.callbacks[ident] = x
                return {"CB": ident}
            raise TypeError(f"cannot pass a {type(x).__name__} to the student's code: only numbers, strings, "
                            "lists/tuples/dicts, NumPy arrays, the student's own objects and functions can cross "
                            "(a course_lib object: make it with course_lib.checks.on_student_side)")
        return other

    def _copy_back(self, reply, buffers) -> None:
        """Write the student's side's current contents into the arrays, lists and dicts this side passed in."""
        try:
            for u in reply.get("sync", []):
                apply_update(self._calls[u["d"]].arrays[u["i"]], u, buffers[u["b"]])
            for u in reply.get("csync", []):
                target = self._calls[u["d"]].containers[u["j"]]
                decoder = self._decoder(buffers)
                if type(target) is list:
                    target[:] = [decoder.decode(v) for v in u["items"]]
                else:
                    new = {decoder.decode(k): decoder.decode(v) for k, v in u["items"]}
                    target.clear()
                    target.update(new)
        except (KeyError, IndexError, TypeError, ValueError, ProtocolError):
            self.kill()
            raise ProtocolViolation("bad update of the arguments") from None

    def _callback(self, header, buffers) -> None:
        """The student's code calls a function of the test: run it here, send its (plain) result back."""
        ident = header.get("cb")
        fn = next((c.callbacks[ident] for c in reversed(self._calls) if ident in c.callbacks), None)
        if fn is None:
            self.kill()
            raise ProtocolViolation("call of an unknown function of the test")
        decoder = self._decoder(buffers)
        try:
            args, kwargs = decoder.decode(header.get("args")), decoder.decode(header.get("kwargs"))
        except ProtocolError as e:
            self.kill()
            raise ProtocolViolation(str(e)) from None
        try:
            if type(args) is not list or type(kwargs) is not dict or not all(type(k) is str for k in kwargs):
                raise TypeError("bad arguments for a function of the test")
            result = fn(*args, **kwargs)
            encoder = Encoder(self._refuse)
            reply = {"re": "ok", "v": encoder.encode(result)}
        except StudentProcessError:
            raise
        except BaseException as e:  # noqa: BLE001 -- kept here, re-raised if it comes back out of the call
            ident = next(self._ids)
            self._errors = {ident: e}
            reply, encoder = {"re": "err", "cberr": ident}, Encoder(self._refuse)
        self._send(reply, encoder.buffers)

    def _refuse(self, x):
        if type(x) is Proxy and x._student is self:
            return {"R": x._handle, "ty": x._type}
        raise TypeError(f"a function of the test returned a {type(x).__name__}: only plain data goes back")
