"""The channel between the grader and the student's process: length-prefixed frames, never pickle.

A frame is a JSON header plus raw buffers (the bytes of NumPy arrays)::

    >II   length of the JSON, number of buffers
    JSON  (UTF-8)
    >Q    length of buffer 1, then its bytes; and so on

Values travel inside the JSON as one-key objects, so that the receiver rebuilds every value itself, with
exact types, and nothing of the sender's objects crosses:

    {"N": 0} None      {"B": true} bool     {"I": 12} int        {"F": "0x1.8p+0"} float (hex: exact, inf, nan)
    {"C": [re, im]}    {"S": "..."} str      {"L": [...]} list     {"T": [...]} tuple
    {"D": [[k, v], ...]} dict                {"SL": [start, stop, step]} slice      {"E": 0} Ellipsis
    {"A": i, "dt": "<f8", "sh": [2, 3]}  ndarray in buffer i      {"G": i, "dt": "<i8"}  NumPy scalar in buffer i
    {"R": handle, "ty": "Affine"}  an object that stays on the student's side (a proxy on the grader's side)
    {"CB": id}  a function of the test, callable from the student's side
    {"ARG": [d, i]} / {"ARGC": [d, j]}  array i / list or dict j that the grader passed into active request d

Only plain data is encoded by value: ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``slice``,
``list``/``tuple``/``dict`` of those (exact types, not subclasses), and ``numpy.ndarray`` / NumPy scalars of
bool, integer, float or complex dtype. Everything else is handed to the ``other`` function of the
:class:`Encoder` (the student's side makes a handle of it; the grader's side refuses it). The
:class:`Decoder` checks every field; anything malformed or too large raises :class:`ProtocolError`.
"""
from __future__ import annotations

import json
import os
import struct

import numpy as np

MAX_JSON = 16 * 2**20           # bytes of JSON per frame
MAX_BUFFERS = 10_000            # buffers per frame
MAX_FRAME = 128 * 2**20         # bytes per frame in all
MAX_ARRAY = 32 * 2**20          # bytes of one array sent by value (a larger one stays on its side)
MAX_ITEMS = 100_000             # elements of a list/tuple/dict sent by value
MAX_DEPTH = 50                  # nesting of lists/tuples/dicts
MAX_INT_BITS = 4096

#: the array dtypes that cross by value (native byte order)
DTYPES = {np.dtype(t) for t in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                                 np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128)}
DTYPE_NAMES = {d.str: d for d in DTYPES}
SCALAR_TYPES = {d.type for d in DTYPES}


class ProtocolError(Exception):
    """A frame or a value that the protocol does not allow (or the other side closed the channel)."""


# ---------------------------------------------------------------- frames
def write_frame(fd: int, header: dict, buffers=()) -> None:
    data = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    parts = [struct.pack(">II", len(data), len(buffers)), data]
    for buf in buffers:
        view = memoryview(buf).cast("B")
        parts += [struct.pack(">Q", view.nbytes), view]
    for part in parts:
        view = memoryview(part)
        while view.nbytes:
            view = view[os.write(fd, view):]


def _read_exact(fd: int, n: int) -> bytearray:
    out = bytearray(n)
    view, got = memoryview(out), 0
    while got < n:
        k = os.readv(fd, [view[got:]])
        if k == 0:
            raise EOFError("the channel was closed")
        got += k
    return out


def read_frame(fd: int) -> tuple[dict, list]:
    """``(header, buffers)`` of the next frame; ``EOFError`` when the other side has gone."""
    size, count = struct.unpack(">II", _read_exact(fd, 8))
    if size > MAX_JSON or count > MAX_BUFFERS:
        raise ProtocolError(f"frame too large ({size} bytes of JSON, {count} buffers)")
    try:
        header = json.loads(_read_exact(fd, size).decode(), parse_constant=_no_constant)
    except (ValueError, RecursionError) as e:
        raise ProtocolError(f"malformed JSON: {type(e).__name__}") from None
    if not isinstance(header, dict):
        raise ProtocolError("a frame's header must be an object")
    buffers, total = [], size
    for _ in range(count):
        (n,) = struct.unpack(">Q", _read_exact(fd, 8))
        total += n
        if total > MAX_FRAME:
            raise ProtocolError(f"frame larger than {MAX_FRAME} bytes")
        buffers.append(_read_exact(fd, n))
    return header, buffers


def _no_constant(name):
    raise ValueError(f"{name} is not allowed")


# ---------------------------------------------------------------- values
def is_plain_array(x) -> bool:
    return type(x) is np.ndarray and x.dtype in DTYPES and x.dtype.isnative and x.nbytes <= MAX_ARRAY


class Encoder:
    """Encode values into JSON-able trees plus buffers. ``other(x)`` encodes what is not plain data;
    ``known`` maps ``id(x)`` to the tag of an object the other side already has (sent as that reference).

    ``arrays`` lists the arrays sent by value, in buffer order, and ``containers`` the lists and dicts, in the
    order the :class:`Decoder` rebuilds them (the grader copies changes back into both).
    """

    def __init__(self, other, known=None):
        self.other, self.known = other, known or {}
        self.buffers, self.arrays, self.containers, self._memo = [], [], [], {}

    def encode(self, x, depth: int = 0):
        t = type(x)
        if id(x) in self.known:
            return self.known[id(x)]
        if x is None:
            return {"N": 0}
        if t is bool:
            return {"B": x}
        if t is int and x.bit_length() <= MAX_INT_BITS:
            return {"I": x}
        if t is float:
            return {"F": x.hex()}
        if t is complex:
            return {"C": [x.real.hex(), x.imag.hex()]}
        if t is str:
            return {"S": x}
        if x is Ellipsis:
            return {"E": 0}
        if is_plain_array(x):
            if id(x) not in self._memo:   # the same array twice arrives as one array
                self._memo[id(x)] = {"A": len(self.buffers), "dt": x.dtype.str, "sh": list(x.shape)}
                self.buffers.append(np.ascontiguousarray(x).data if x.size else b"")
                self.arrays.append(x)
            return self._memo[id(x)]
        if t in SCALAR_TYPES:
            self.buffers.append(np.asarray(x).tobytes())
            return {"G": len(self.buffers) - 1, "dt": np.asarray(x).dtype.str}
        if depth < MAX_DEPTH:
            if t in (list, tuple) and len(x) <= MAX_ITEMS:
                if t is list:
                    self.containers.append(x)
                return {"L" if t is list else "T": [self.encode(v, depth + 1) for v in x]}
            if t is dict and len(x) <= MAX_ITEMS:
                self.containers.append(x)
                return {"D": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in x.items()]}
            if t is slice:
                return {"SL": [self.encode(v, depth + 1) for v in (x.start, x.stop, x.step)]}
        return self.other(x)


class Decoder:
    """Rebuild values from a frame's buffers. ``resolve(tag, value)`` handles ``R``, ``CB``, ``ARG``, ``ARGC``.

    ``arrays`` lists the arrays rebuilt, in buffer order (fresh, writable ``numpy.ndarray`` objects), and
    ``containers`` the lists and dicts, in the order the :class:`Encoder` met them.
    """

    def __init__(self, buffers, resolve):
        self.buffers, self.resolve, self.arrays, self.containers, self._memo = buffers, resolve, [], [], {}

    def decode(self, v, depth: int = 0):
        try:
            return self._decode(v, depth)
        except ProtocolError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError) as e:
            raise ProtocolError(f"malformed value: {type(e).__name__}") from None

    def _decode(self, v, depth):
        if type(v) is not dict or depth > MAX_DEPTH + 1:
            raise ProtocolError("a value must be a one-key object")
        tag = next(iter(v), None)
        x = v.get(tag)
        if tag == "N":
            return None
        if tag == "B" and type(x) is bool:
            return x
        if tag == "I" and type(x) is int:
            return x
        if tag == "F" and type(x) is str:
            return float.fromhex(x)
        if tag == "C" and type(x) is list and len(x) == 2:
            return complex(float.fromhex(x[0]), float.fromhex(x[1]))
        if tag == "S" and type(x) is str:
            return x
        if tag == "E":
            return Ellipsis
        if tag == "L" and type(x) is list and len(x) <= MAX_ITEMS:
            out = []
            self.containers.append(out)
            out.extend(self._decode(i, depth + 1) for i in x)
            return out
        if tag == "T" and type(x) is list and len(x) <= MAX_ITEMS:
            return tuple(self._decode(i, depth + 1) for i in x)
        if tag == "D" and type(x) is list and len(x) <= MAX_ITEMS:
            out = {}
            self.containers.append(out)
            for k, val in x:
                out[self._decode(k, depth + 1)] = self._decode(val, depth + 1)
            return out
        if tag == "SL" and type(x) is list and len(x) == 3:
            return slice(*(self._decode(i, depth + 1) for i in x))
        if tag == "A":
            return self._array(x, v)
        if tag == "G":
            dtype = DTYPE_NAMES[v["dt"]]
            buf = self.buffers[x]
            if type(x) is not int or len(buf) != dtype.itemsize:
                raise ProtocolError("malformed NumPy scalar")
            return np.frombuffer(bytes(buf), dtype=dtype)[0]
        if (tag in ("R", "CB") and type(x) is int) or (tag in ("ARG", "ARGC") and type(x) is list and len(x) == 2
                                                         and all(type(i) is int for i in x)):
            return self.resolve(tag, v)
        raise ProtocolError(f"unknown value {str(tag)[:20]!r}")

    def _array(self, index, v):
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise ProtocolError("array: no such buffer")
        if index in self._memo:
            return self._memo[index]
        dtype, shape = DTYPE_NAMES[v["dt"]], v["sh"]
        if type(shape) is not list or len(shape) > 32 or any(type(n) is not int or n < 0 for n in shape):
            raise ProtocolError("array: malformed shape")
        buf = self.buffers[index]
        if int(np.prod(shape, dtype=np.float64)) * dtype.itemsize != len(buf):
            raise ProtocolError("array: the buffer does not match the shape")
        arr = np.frombuffer(buf, dtype=dtype).reshape(shape) if len(buf) else np.zeros(shape, dtype)
        self._memo[index] = arr
        self.arrays.append(arr)
        return arr


def array_update(arr: np.ndarray) -> tuple[dict, object]:
    """``(description, buffer)`` of an array's current contents, for copying them back to the other side."""
    if not is_plain_array(arr):
        return {"dt": None}, b""
    return {"dt": arr.dtype.str, "sh": list(arr.shape)}, (np.ascontiguousarray(arr).data if arr.size else b"")


def apply_update(arr: np.ndarray, desc: dict, buf) -> None:
    """Write an :func:`array_update` into ``arr`` in place (when dtype and size still match)."""
    dtype = DTYPE_NAMES.get(desc.get("dt")) if isinstance(desc, dict) else None
    if dtype is None or dtype != arr.dtype or len(buf) != arr.nbytes or not arr.flags.writeable:
        return
    if arr.size:
        np.copyto(arr, np.frombuffer(buf, dtype=dtype).reshape(arr.shape))
