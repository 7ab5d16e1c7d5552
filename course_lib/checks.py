"""Checks for the exercises' test cells: each names the requirement and the likely mistake.

A test cell is a few ``with requirement(...)`` blocks::

    with requirement("a batch (2, 3) gives one softmax per row: every row sums to 1",
                     hint="sum over the last axis with keepdims=True, not over the whole array"):
        Y = softmax_batch(np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]))
        expect_shape(Y, (2, 3))
        expect_close(Y.sum(axis=1), [1.0, 1.0], "row sums")

When the block fails, the student reads one message: the requirement, what went wrong, and the hint --
also when their own code raised (a shape error from ``W @ x``, ``NotImplementedError`` of an unfinished
exercise): then the message carries the last line of that error. The grader shows the same message
in the feedback (for a hidden test: the requirement and the hint, never the test's code or inputs).

Helpers inside a block raise ``AssertionError`` with a short description:

- ``expect_close(actual, expected, what)``  values (and shape) equal up to rounding;
- ``expect_shape(actual, shape, what)``     ``np.shape(actual) == shape``;
- ``expect_dtype(actual, kind, what)``      ``'float'``, ``'int'`` or ``'bool'``;
- ``call_unchanged(f, *args)``              calls ``f(*args)`` and checks that no argument was modified.

``on_student_side(cls, *args)`` makes a ``course_lib`` object (a network, a layer, an optimizer) to hand to the
student's code -- in a notebook simply ``cls(*args)``; when the grader runs the test, in the student's process.
"""
from __future__ import annotations

import copy
from contextlib import contextmanager

import numpy as np

__all__ = ["ExerciseCheckFailed", "requirement", "expect_close", "expect_shape", "expect_dtype", "call_unchanged",
           "last_line", "on_student_side"]


class ExerciseCheckFailed(AssertionError):
    """A requirement of an exercise is not met. ``str()`` is the whole message for the student.

    Attributes: ``requirement`` (what the exercise asks), ``detail`` (what went wrong: may quote values
    the test computed), ``hint`` (the likely mistake), ``raised`` (the name of the exception the
    student's code raised, or ``None`` when an expectation was not met).
    """

    def __init__(self, requirement: str, detail: str, hint: str = "", raised: str | None = None):
        self.requirement, self.detail, self.hint, self.raised = requirement, detail, hint, raised
        super().__init__(self.message())

    def message(self, with_detail: bool = True) -> str:
        """The message; ``with_detail=False`` leaves out the detail (used for hidden tests' feedback)."""
        parts = [self.requirement]
        if with_detail and self.detail:
            parts.append(self.detail)
        elif self.raised:
            parts.append(f"your code raised {self.raised}")
        text = " -- ".join(parts)
        return f"{text}. Hint: {self.hint}" if self.hint else text


def last_line(error: BaseException, limit: int = 160) -> str:
    """The line a traceback ends with, ``'TypeError: <message>'``, at most ``limit`` characters.

    Of a message of several lines only the first is kept: it says what went wrong (NumPy's removed-alias
    error, for one, goes on with a paragraph and a URL).
    """
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


@contextmanager
def requirement(what: str, hint: str = ""):
    """Check one requirement of an exercise: ``with requirement("...", hint="..."):`` then the test code.

    what: the requirement, as the exercise states it ("forward must not modify its input x").
    hint: the likely mistake and its fix ("compute on a copy: x = x.astype(float) or x - c, not x -= c").

    An ``AssertionError`` in the block becomes ``ExerciseCheckFailed(what, <its message>, hint)``; any other
    exception (raised by the student's code) becomes ``ExerciseCheckFailed(what, <its last line>, hint)``.
    An unfinished exercise (``NotImplementedError``) says so instead of giving the hint.
    """
    try:
        yield
    except ExerciseCheckFailed:
        raise
    except AssertionError as e:
        raise ExerciseCheckFailed(what, str(e).strip(), hint) from e
    except NotImplementedError as e:
        raise ExerciseCheckFailed(what, "not done yet: replace `raise NotImplementedError()` with your code",
                                  raised="NotImplementedError") from e
    except Exception as e:  # noqa: BLE001 -- whatever the student's code raised, report it with the hint
        raise ExerciseCheckFailed(what, f"your code raised {last_line(e)}", hint, raised=type(e).__name__) from e


def _short(value, limit: int = 120) -> str:
    with np.printoptions(precision=6, threshold=12, edgeitems=3, linewidth=limit):
        text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def expect_shape(actual, shape, what: str = "the result") -> None:
    """Fail unless ``np.shape(actual) == shape`` (``actual`` may be any array-like)."""
    got = np.shape(actual)
    assert got == tuple(shape), f"{what} should have shape {tuple(shape)}, got {got}"


def expect_close(actual, expected, what: str = "the result", rtol: float = 1e-5, atol: float = 1e-8) -> None:
    """Fail unless ``actual`` has ``expected``'s shape and values (``np.allclose`` with ``rtol``/``atol``).

    The message says which: the shape, a ``nan``/``inf``, or the values (with the largest difference).
    """
    expected = np.asarray(expected, dtype=np.float64)
    try:
        got = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} should be numbers like {_short(expected)}, got {_short(actual)}") from None
    expect_shape(got, expected.shape, what)
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        raise AssertionError(f"{what} contains nan or inf: {_short(got)} (expected {_short(expected)})")
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(got - expected))) if got.size else 0.0
        raise AssertionError(f"{what} should be {_short(expected)}, got {_short(got)} "
                             f"(largest difference {worst:.3g})")


_KINDS = {"float": np.floating, "int": np.integer, "bool": np.bool_}


def expect_dtype(actual, kind: str, what: str = "the result") -> None:
    """Fail unless ``actual`` is an array (or number) of the given kind: ``'float'``, ``'int'`` or ``'bool'``."""
    dtype = np.asarray(actual).dtype
    assert np.issubdtype(dtype, _KINDS[kind]), f"{what} should hold {kind}s, got dtype {dtype}"


def _same(old, new) -> bool:
    """``old`` (a deep copy taken before a call) and ``new`` hold the same values (arrays compared exactly)."""
    if isinstance(new, np.ndarray):
        return (isinstance(old, np.ndarray) and old.shape == new.shape and old.dtype == new.dtype
                and np.array_equal(old, new, equal_nan=bool(np.issubdtype(new.dtype, np.inexact))))
    if isinstance(new, (list, tuple)):
        return type(old) is type(new) and len(old) == len(new) and all(map(_same, old, new))
    if isinstance(new, dict):
        return old.keys() == new.keys() and all(_same(old[k], new[k]) for k in new)
    return True  # numbers, strings, objects: a call cannot change them in place (or we cannot tell)


def call_unchanged(f, *args, **kwargs):
    """``f(*args, **kwargs)``, then fail if the call modified an argument (arrays, lists, dicts).

    Returns what ``f`` returned. Use it for "must not modify its input" requirements.
    """
    before = copy.deepcopy((args, kwargs))
    result = f(*args, **kwargs)
    names = [f"argument {i + 1}" for i in range(len(args))] + [f"argument {k!r}" for k in kwargs]
    for name, old, new in zip(names, [*before[0], *before[1].values()], [*args, *kwargs.values()]):
        if not _same(old, new):
            raise AssertionError(f"the call modified its input ({name}): compute a new array "
                                 f"and leave the caller's {type(new).__name__} as it was")
    return result


#: Where ``on_student_side`` makes objects: ``None`` here; the grader sets it while it runs a test cell.
STUDENT_SIDE = None


def on_student_side(cls, *args, **kwargs):
    """An instance of the ``course_lib`` class ``cls`` for the student's code to use (and change).

    In a notebook this is ``cls(*args, **kwargs)``. The grader runs test cells in a process of their own and the
    student's code in another: there the object is made in the student's process and the test gets a proxy, so
    that ``train(net, ...)`` can update ``net.params`` in place as in the book. What its methods and attributes
    return then comes from the student's process: compare it with objects the test makes itself
    (``TwoLayerNet(...)`` with the same seed), not with the proxy's own methods.
    """
    if STUDENT_SIDE is None:
        return cls(*args, **kwargs)
    return STUDENT_SIDE(cls, *args, **kwargs)
