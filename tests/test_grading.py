"""The grader's parts (course_lib.grading): the channel, the student's values on the trusted side, restoring a
submission, finding submissions, the CSV, the feedback, the release, the self-check, the gradebook, and the
calibration of every real notebook through the sandbox.

The student's side runs as a plain worker process here (one per module: ``student`` fixture); the sandboxed
round trip with its scenarios and the attack bank are in tests/test_grading_bank.py, the wrong-answer bank in
tests/test_wrong_answers.py.
"""
from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_lib.checks import call_unchanged
from course_lib.grading import cells as C
from course_lib.grading import channel, cli, grade, remote, sandbox, selfcheck
from course_lib.grading.engine import judge, make_plan
from course_lib.grading.release import leaks, student_version
from course_lib.layers import ShapeError

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "grading" / "01_mini_lesson.ipynb"
REAL = [p for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if C.has_tests(C.read(p))]

pytestmark = pytest.mark.grading


def sandbox_or_skip():
    why = sandbox.problem()
    if why:
        if os.environ.get("COURSE_REQUIRE_SANDBOX"):
            pytest.fail(f"no sandbox: {why}")
        pytest.skip(f"no sandbox here: {why}")


# ---------------------------------------------------------------- the channel
def roundtrip(value):
    enc = channel.Encoder(lambda x: {"R": 1, "ty": type(x).__name__})
    tree = enc.encode(value)
    r, w = os.pipe()
    channel.write_frame(w, {"v": tree}, enc.buffers)
    header, buffers = channel.read_frame(r)
    os.close(r), os.close(w)
    return channel.Decoder(buffers, lambda tag, v: ("proxy", v["R"])).decode(header["v"])


def test_plain_values_cross_with_their_exact_types():
    values = [None, True, 0, -7, 2**200, 1.5, float("inf"), -0.0, 1 + 2j, "µ text", [1, (2.0, "x")], {"a": [1], 3: None},
              slice(1, None, 2), Ellipsis, np.float64(0.1), np.int32(-3), np.bool_(True), np.uint8(255)]
    for value in values:
        got = roundtrip(value)
        assert type(got) is type(value) and (got == value or got is value), value
    assert np.isnan(roundtrip(float("nan")))
    for dtype in sorted(channel.DTYPES, key=str):
        a = (np.arange(6) % 2).astype(dtype).reshape(2, 3)
        got = roundtrip(a)
        assert type(got) is np.ndarray and got.dtype == dtype and got.shape == (2, 3) and np.array_equal(got, a)
        assert got.flags.writeable
    assert roundtrip(np.zeros((0, 3))).shape == (0, 3)
    x = np.arange(3.0)
    a, b = roundtrip([x, x])
    assert a is b   # one array passed twice stays one array


def test_anything_else_goes_to_the_other_side_as_a_reference():
    class Sub(np.ndarray):
        pass

    class F(float):
        pass

    for value in (np.arange(3).view(Sub), F(1.0), np.array([1, None], dtype=object), np.arange(3.0)[::-1].astype(">f8"),
                  lambda: 1, object(), {(1, 2): {3}}, np.zeros(channel.MAX_ARRAY // 8 + 1)):
        got = roundtrip(value)
        assert got == ("proxy", 1) or (isinstance(got, dict) and list(got.values()) == [("proxy", 1)]), value


@pytest.mark.parametrize("frame", [
    b"\xff\xff\xff\xff\x00\x00\x00\x00",                                     # JSON too large
    b"\x00\x00\x00\x03\x00\x00\x00\x00NaN",                                 # not allowed
    b"\x00\x00\x00\x02\x00\x00\x00\x00[]",                                  # not an object
])
def test_malformed_frames_are_protocol_errors(frame):
    r, w = os.pipe()
    os.write(w, frame)
    os.close(w)
    with pytest.raises(channel.ProtocolError):
        channel.read_frame(r)
    os.close(r)


@pytest.mark.parametrize("tree,buffers", [
    ({"A": 0, "dt": "|O", "sh": [1]}, [bytearray(8)]),               # object dtype
    ({"A": 0, "dt": "<f8", "sh": [3]}, [bytearray(8)]),              # buffer does not match the shape
    ({"A": 0, "dt": "<f8", "sh": [-1]}, [bytearray(8)]),
    ({"A": 5, "dt": "<f8", "sh": [1]}, [bytearray(8)]),              # no such buffer
    ({"G": 0, "dt": "<f8"}, [bytearray(3)]),
    ({"F": "not a float"}, []), ({"I": "12"}, []), ({"Q": 1}, []), ([1], []), ({"CB": 1}, []),
    ({"D": [[{"L": []}, {"N": 0}]]}, []),                             # a list as a dict key
])
def test_malformed_values_are_protocol_errors(tree, buffers):
    def resolve(tag, v):
        raise channel.ProtocolError("no functions from this side")
    with pytest.raises(channel.ProtocolError):
        channel.Decoder(buffers, resolve).decode(tree)


def test_deep_nesting_is_refused():
    tree = {"N": 0}
    for _ in range(200):
        tree = {"L": [tree]}
    with pytest.raises(channel.ProtocolError):
        channel.Decoder([], None).decode(tree)


# ---------------------------------------------------------------- the student's values, through a plain worker
STUDENT_CODE = '''
import numpy as np, os, sys, time, warnings, gc
from course_lib.layers import ShapeError

class Liar(np.ndarray):
    def __eq__(self, other): return np.ones(self.shape, bool)
    def __array_ufunc__(self, *a, **k): return True
    def __array_function__(self, *a, **k): return True

class LyingFloat(float):
    def __eq__(self, other): return True
    __hash__ = float.__hash__

class MyError(ValueError):
    pass

def double_in_place(x):
    x *= 2
    return x.sum()

def fail_after_change(x):
    x[0] = -1
    raise ValueError("first line\\nthe last line")

def gradient(f, x):
    g = np.zeros_like(x)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + 1e-4
        a = f(x)
        x.flat[i] = old - 1e-4
        b = f(x)
        x.flat[i] = old
        g.flat[i] = (a - b) / 2e-4
    return g

def call_twice(f, v):
    return f(v) + f(v)

def swallow(f):
    try:
        f()
    except Exception as e:
        return "caught " + type(e).__name__

def raises(kind):
    if kind == "assert": assert False, "looks like a test"
    if kind == "my": raise MyError("mine")
    if kind == "shape": raise ShapeError("Affine: x has shape (2, 3)")
    if kind == "todo": raise NotImplementedError()
    if kind == "exit": sys.exit(3)
    if kind == "key": raise KeyError("k")

def warn(x):
    return np.exp(np.asarray(x, dtype=float))

def spin(catch):
    while True:
        try:
            while True:
                pass
        except BaseException:
            if not catch:
                raise

def update(params, grads, replace=False):
    for key in grads:
        if replace:
            params[key] = params[key] - grads[key]
        else:
            params[key] -= grads[key]
    params["seen"] = len(grads)

def train(net, x, t):
    grads = net.gradient(x, t)
    for key in ("W1", "b1"):
        net.params[key] -= 0.1 * grads[key]
    return net

def same(x):
    x[0] = 9
    return x

class Layer:
    def __init__(self, W):
        self.W = W
        self.calls = 0
    def forward(self, x):
        self.calls += 1
        return x @ self.W
    def __len__(self):
        return 2
    def __getitem__(self, i):
        return [10.0, 20.0][i]
    def __float__(self):
        return 1.25

liar = np.arange(3.0).view(Liar)
lying = LyingFloat(42.0)
values = {"a": np.arange(4).reshape(2, 2), "f": np.float32(1.5), "n": None, "t": (1, "x")}
'''


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    s = remote.Student(sandbox.start_plain(tmp_path_factory.mktemp("plain")))
    reply = s.run_cell(STUDENT_CODE, timeout=60)
    assert reply["re"] == "ok", reply
    yield s
    s.kill()


def fetch(student, name, timeout=20):
    student.deadline = time.monotonic() + timeout
    return student.get(name)


def test_plain_data_arrives_as_genuine_objects(student):
    values = fetch(student, "values")
    assert type(values) is dict and type(values["a"]) is np.ndarray and values["a"].tolist() == [[0, 1], [2, 3]]
    assert type(values["f"]) is np.float32 and values["f"] == 1.5 and values["n"] is None and values["t"] == (1, "x")
    assert fetch(student, "no_such_name") is remote.MISSING


def test_subclasses_with_lying_comparisons_arrive_as_proxies_that_compare_honestly(student):
    liar, lying = fetch(student, "liar"), fetch(student, "lying")
    assert type(liar) is remote.Proxy and type(lying) is remote.Proxy
    assert not (liar == 9.0)   # a proxy compares by identity: the student's __eq__ is never asked
    assert not (liar == np.array([9.0, 9.0, 9.0])).any()   # NumPy compares the proxy's values, honestly
    assert not (lying == 3.0) and lying != 42.0
    arr = np.asarray(liar)
    assert type(arr) is np.ndarray and arr.tolist() == [0.0, 1.0, 2.0]
    assert not np.allclose(liar, [9.0, 9.0, 9.0]) and np.allclose(liar, [0, 1, 2])
    assert float(lying) == 42.0 and not np.isclose(lying, 3.0)
    assert repr(liar) == "<your Liar object>"


def test_arrays_are_copied_back_after_the_call_also_when_it_raises(student):
    x = np.array([1.0, 2.0])
    assert fetch(student, "double_in_place")(x) == 6.0 and x.tolist() == [2.0, 4.0]
    with pytest.raises(AssertionError, match="modified its input"):
        call_unchanged(fetch(student, "double_in_place"), np.array([1.0, 2.0]))
    y = np.array([5.0, 5.0])
    with pytest.raises(ValueError, match="^the last line$"):
        fetch(student, "fail_after_change")(y)
    assert y.tolist() == [-1.0, 5.0]
    base = np.ones((2, 3))
    fetch(student, "double_in_place")(base[:, 1])   # a view: the copy-back writes through it
    assert base.tolist() == [[1.0, 2.0, 1.0], [1.0, 2.0, 1.0]]


def test_lists_and_dicts_passed_in_are_updated_in_place_too(student):
    W = np.array([1.0, 2.0])
    params, grads = {"W": W}, {"W": np.array([0.5, 0.5])}
    fetch(student, "update")(params, grads)
    assert params["W"] is W and W.tolist() == [0.5, 1.5] and params["seen"] == 1   # the book's optimizer idiom
    fetch(student, "update")(params, grads, replace=True)   # the classic mistake: a new array, not the caller's
    assert params["W"] is not W and params["W"].tolist() == [0.0, 1.0] and W.tolist() == [0.5, 1.5]
    x = np.zeros(2)
    assert fetch(student, "same")(x) is x and x[0] == 9   # an argument returned comes back as the caller's array


def test_a_course_lib_object_made_on_the_students_side(student):
    from course_lib import checks
    from course_lib.networks import TwoLayerNet
    assert type(checks.on_student_side(TwoLayerNet, 3, 4, 2, seed=1)) is TwoLayerNet   # in a notebook: itself
    checks.STUDENT_SIDE = student.make
    try:
        student.deadline = time.monotonic() + 30
        net = checks.on_student_side(TwoLayerNet, 3, 4, 2, seed=1)
        assert type(net) is remote.Proxy and repr(net) == "<your TwoLayerNet object>"
        x, t = np.ones((5, 3)), np.array([0, 1, 0, 1, 1])
        ref = TwoLayerNet(3, 4, 2, seed=1)
        expected = ref.params["W1"] - 0.1 * ref.gradient(x, t)["W1"]
        fetch(student, "train")(net, x, t)
        assert np.allclose(net.params["W1"], expected)   # the student's code changed it where it lives
        with pytest.raises(TypeError, match="only classes of course_lib"):
            checks.on_student_side(dict)
        with pytest.raises(TypeError, match="on_student_side"):
            fetch(student, "train")(ref, x, t)   # a test's own object does not cross
    finally:
        checks.STUDENT_SIDE = None


def test_the_book_gradient_idiom_works_through_callbacks(student):
    W = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = fetch(student, "gradient")(lambda _unused: float(np.sum(W ** 3)), W)   # reads W, which the student moves
    assert np.allclose(g, 3 * W ** 2, rtol=1e-3) and W.tolist() == [[1.0, -2.0], [0.5, 3.0]]


def test_callbacks_get_plain_data_and_their_errors_come_back_unchanged(student):
    assert fetch(student, "call_twice")(lambda v: v * 2, 5) == 20
    layer = fetch(student, "Layer")(np.eye(2))
    # a test's function that calls the student's code again (nested)
    assert fetch(student, "call_twice")(lambda v: float(layer.forward(np.array([v, 1.0]))[0]), 3.0) == 6.0

    class Oops(Exception):
        pass

    def boom(v):
        raise Oops("from the test")
    with pytest.raises(Oops):
        fetch(student, "call_twice")(boom, 1)
    assert fetch(student, "swallow")(lambda: 1 / 0) == "caught TestFunctionFailed"
    with pytest.raises(TypeError):
        fetch(student, "call_twice")(lambda v: object(), 1)   # only plain data goes back
    with pytest.raises(TypeError, match="cannot pass"):
        fetch(student, "call_twice")(lambda v: v, object())


def test_exceptions_arrive_as_builtin_classes_with_only_their_last_line(student):
    raises = fetch(student, "raises")
    with pytest.raises(remote.StudentCodeError) as e:
        raises("assert")
    assert type(e.value).__name__ == "AssertionError" and not isinstance(e.value, AssertionError)
    with pytest.raises(ValueError) as e:
        raises("my")
    assert type(e.value).__name__ == "MyError" and e.value.from_student
    with pytest.raises(ShapeError, match="Affine"):
        raises("shape")
    with pytest.raises(NotImplementedError):
        raises("todo")
    with pytest.raises(remote.StudentCodeError) as e:
        raises("exit")
    assert type(e.value).__name__ == "SystemExit"
    with pytest.raises(KeyError):
        raises("key")
    assert student.alive()


def test_warnings_are_reemitted_at_the_call(student):
    warn = fetch(student, "warn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn([1000.0])
    assert [w.category for w in caught] == [RuntimeWarning] and "overflow" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning):
            warn([1000.0])


def test_proxies_call_read_assign_index_and_convert(student):
    layer = fetch(student, "Layer")(np.eye(2) * 3)
    assert layer.forward(np.array([[1.0, 2.0]])).tolist() == [[3.0, 6.0]] and layer.calls == 1
    w = layer.W
    w[0, 0] = 100.0            # a copy: the student's layer is unchanged
    assert layer.W[0, 0] == 3.0
    layer.W = np.zeros((2, 2))   # assigning changes it
    assert layer.forward(np.ones((1, 2))).tolist() == [[0.0, 0.0]]
    assert len(layer) == 2 and layer[1] == 20.0 and list(layer) == [10.0, 20.0] and float(layer) == 1.25
    assert np.asarray(layer).tolist() == [10.0, 20.0]
    with pytest.raises(AttributeError):
        layer.__dict__
    assert copy.deepcopy(layer) is layer
    with pytest.raises(AttributeError):
        layer.no_such_method()
    with pytest.raises(TypeError):
        import pickle
        pickle.dumps(layer)


def test_a_soft_timeout_keeps_the_process_a_hard_one_kills_it(student, tmp_path):
    spin = fetch(student, "spin")
    student.deadline = time.monotonic() + 1.0
    with pytest.raises(remote.StudentTimeout) as e:
        spin(False)
    assert not e.value.killed and student.alive()
    other = remote.Student(sandbox.start_plain(tmp_path))
    assert other.run_cell(STUDENT_CODE, timeout=60)["re"] == "ok"
    other.deadline = time.monotonic() + 0.5
    spin = other.get("spin")
    with pytest.raises(remote.StudentTimeout) as e:
        spin(True)   # swallows the alarm: killed from outside, GRACE seconds later
    assert e.value.killed and not other.alive()


def test_death_and_a_forged_frame_are_reported(tmp_path):
    s = remote.Student(sandbox.start_plain(tmp_path))
    s.deadline = time.monotonic() + 30
    with pytest.raises(remote.StudentDied):
        s.run_cell("import os\nos._exit(3)", timeout=30)
    s = remote.Student(sandbox.start_plain(tmp_path))
    forge = ("import gc, os\nw = next(o for o in gc.get_objects() if type(o).__name__ == 'Worker')\n"
             "os.write(w.fd_out, b'\\xff' * 16)\nimport time\ntime.sleep(5)")
    with pytest.raises(remote.ProtocolViolation):
        s.run_cell(forge, timeout=30)
    assert not s.alive()


# ---------------------------------------------------------------- judging a test's outcome
def test_hidden_failures_show_the_requirement_and_hint_not_the_detail():
    from course_lib.checks import ExerciseCheckFailed
    e = ExerciseCheckFailed("softmax rows sum to 1", "got [0.3 0.3] for the secret input", "sum over axis=1")
    assert judge(e, hidden=False)[1] == "softmax rows sum to 1 -- got [0.3 0.3] for the secret input. Hint: sum over axis=1"
    assert judge(e, hidden=True)[1] == "softmax rows sum to 1. Hint: sum over axis=1"
    assert judge(AssertionError("Arrays are not equal\n x: [1 2]\n y: [3 4]"), hidden=True)[1] == "Arrays are not equal"
    assert judge(AssertionError(), hidden=True)[1] == "a hidden check failed"
    assert judge(TypeError("secret 1234"), hidden=True)[1] == "a hidden check could not use your result (TypeError)"
    student_error = remote.student_error({"name": "ValueError", "base": "ValueError", "text": "shapes (3,7) (5,)"})
    assert judge(student_error, hidden=True)[1] == "your code raised ValueError: shapes (3,7) (5,)"
    assert judge(NotImplementedError(), hidden=False)[0] == "not_done"
    assert judge(NameError("name 'f' is not defined", name="f"), False, ["f"])[1].startswith("`f` is not defined")


# ---------------------------------------------------------------- restoring a submission, the release
def source():
    return C.read(FIXTURE)


def test_restore_reinserts_deleted_cells_in_place_and_undoes_edits():
    src = source()
    sub = student_version(src)
    sub.cells = [c for c in sub.cells if C.grade_id(c) not in ("exfx_step", "exfx_mse_tests")]
    sig_test = next(c for c in sub.cells if C.grade_id(c) == "exfx_sigmoid_tests")
    sig_test.source = "pass"
    sig_test.metadata["nbgrader"]["points"] = 100
    fake = nbformat.v4.new_code_cell("assert True")
    fake.metadata["nbgrader"] = {"grade": True, "grade_id": "free_points", "locked": True, "points": 50,
                                 "schema_version": 3, "solution": False, "task": False}
    sub.cells.append(fake)
    r = C.restore(src, sub)
    assert r.missing == ["exfx_step", "exfx_mse_tests"]
    assert r.modified == ["exfx_sigmoid_tests"] and r.stripped == ["free_points"]
    assert [C.grade_id(c) for c in r.nb.cells if C.grade_id(c)] == [C.grade_id(c) for c in src.cells if C.grade_id(c)]
    assert C.max_score(r.nb) == C.max_score(src) == 10
    step = next(c for c in r.nb.cells if C.grade_id(c) == "exfx_step")
    assert "raise NotImplementedError()" in C.text(step) and "BEGIN SOLUTION" not in C.text(step)


def test_the_plan_runs_cells_here_and_tests_there_with_the_imports_they_need():
    plan = make_plan(student_version(source()), source())
    kinds = [(i["kind"], i.get("grade_id")) for i in plan["items"]]
    assert [g for k, g in kinds if k == "test"] == ["exfx_step_tests", "exfx_sigmoid_tests", "exfx_mse_tests",
                                                    "exfx_gradient_tests", "exfx_layer_tests"]
    assert plan["imports"] == ["import numpy as np", "from course_lib.checks import call_unchanged, expect_close, "
                               "expect_dtype, expect_shape, requirement"]
    test = next(i for i in plan["items"] if i.get("grade_id") == "exfx_sigmoid_tests")
    assert "1000.0" in test["hidden"] and "1000.0" not in test["visible"] and test["names"] == ["sigmoid"]
    assert not any("1000.0" in i.get("code", "") for i in plan["items"])   # hidden tests never go to the student
    visible_only = make_plan(student_version(source()), source(), hidden=False)["items"]
    assert all(not i["hidden"] for i in visible_only if i["kind"] == "test")


def test_release_writes_nbgrader_layout_without_solutions_and_tags_exercises(tmp_path):
    assert cli.main(["release", str(FIXTURE), "--out", str(tmp_path / "release"),
                     "--source-links", str(tmp_path / "source")]) == 0
    rel = C.read(tmp_path / "release" / FIXTURE.stem / FIXTURE.name)
    assert leaks(rel) == [] and nbformat.writes(rel) == nbformat.writes(student_version(source()))
    for cell in rel.cells:
        if C.is_solution(cell) or C.is_test(cell):
            assert "raises-exception" in cell.metadata["tags"]
    link = tmp_path / "source" / FIXTURE.stem / FIXTURE.name
    assert link.is_symlink() and link.resolve() == FIXTURE.resolve()


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_real_release_has_no_solution_code_and_no_hidden_tests(path):
    src = C.read(path)
    rel = student_version(src)
    assert leaks(rel) == []
    rel_lines = {ln.strip() for c in rel.cells for ln in C.text(c).splitlines()}
    shown = {ln.strip() for c in src.cells if not C.is_solution(c)
             for ln in (C.split_hidden(C.text(c))[0] if C.is_test(c) else C.text(c)).splitlines()}
    for cell in src.cells:
        secret = ""
        if C.is_solution(cell):
            secret = "\n".join(part.split(C.END_SOLUTION, 1)[0] for part in C.text(cell).split(C.BEGIN_SOLUTION)[1:])
        elif C.is_test(cell):
            secret = C.split_hidden(C.text(cell))[1]
            assert secret.strip(), f"{C.grade_id(cell)} has no hidden tests"
        lines = {ln.strip() for ln in secret.splitlines() if len(ln.strip()) > 12} - shown
        assert not lines & rel_lines, (C.grade_id(cell), lines & rel_lines)


def test_checksum_is_nbgraders_and_finds_edited_locked_cells():
    from nbgrader.utils import compute_checksum
    rel = student_version(source())
    locked = [c for c in rel.cells if C.meta(c).get("checksum")]
    assert locked and all(C.checksum(c) == compute_checksum(c) == C.meta(c)["checksum"] for c in locked)
    next(c for c in rel.cells if C.grade_id(c) == "exfx_mse_tests").source += "\n# changed"
    assert C.edited_locked_cells(rel) == ["exfx_mse_tests"]


def test_the_self_check_and_the_trusted_process_import_neither_nbgrader_nor_nbformat():
    """nbgrader is the instructor's; nbformat's import alone costs seconds of CPU (its JSON-schema checkers), paid
    by every submission's trusted process and every click of "Check my work" if it were imported."""
    code = ("import sys, course_lib.grading.selfcheck, course_lib.grading.engine, course_lib.grading.worker, "
            "course_lib.grading.remote, course_lib.grading.cli\n"
            f"course_lib.grading.cells.read({str(FIXTURE)!r})\n"
            "assert 'nbgrader' not in sys.modules and 'nbformat' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.parametrize("path", [FIXTURE, *REAL], ids=lambda p: p.stem)
def test_reading_a_notebook_gives_what_nbformat_gives(path):
    assert nbformat.writes(C.read(path)) == nbformat.writes(nbformat.read(str(path), as_version=4))


@pytest.mark.parametrize("text", ["{ not json", "[]", '{"cells": []}', '{"nbformat": 4, "cells": [{"source": 1}]}',
                                  '{"nbformat": 4, "cells": "x"}'])
def test_reading_something_else_is_a_value_error(text):
    with pytest.raises(ValueError):
        C.reads(text)


# ---------------------------------------------------------------- finding submissions, the CSV
def test_only_regular_files_inside_student_folders_are_graded_and_the_rest_is_listed(tmp_path):
    data = FIXTURE.read_bytes()
    (tmp_path / "alice" / "deep").mkdir(parents=True)
    (tmp_path / "alice" / "01_mini_lesson.ipynb").write_bytes(data)
    (tmp_path / "alice" / "deep" / "01_mini_lesson.ipynb").write_bytes(data)           # a second copy
    (tmp_path / "alice" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "alice" / ".ipynb_checkpoints" / "01_mini_lesson-checkpoint.ipynb").write_bytes(data)
    (tmp_path / "alice" / "notes.ipynb").write_bytes(data)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "01_mini_lesson.ipynb").write_bytes(data)
    (tmp_path / "mallory").mkdir()
    (tmp_path / "mallory" / "01_mini_lesson.ipynb").symlink_to(FIXTURE)
    (tmp_path / "eve").mkdir()
    os.mkfifo(tmp_path / "eve" / "01_mini_lesson.ipynb")
    (tmp_path / "trudy").symlink_to(tmp_path / "alice")
    (tmp_path / "feedback").mkdir()
    (tmp_path / "grades.csv").write_text("old")
    subs, skipped = grade.find_submissions(tmp_path, {"01_mini_lesson"}, reserved={"feedback"})
    got = {(s.student, s.problem) for s in subs}
    assert got == {("alice", ""), ("mallory", "not_a_regular_file"), ("eve", "not_a_regular_file")}
    alice = next(s for s in subs if s.student == "alice")
    assert alice.path == tmp_path / "alice" / "01_mini_lesson.ipynb" and grade.read_regular(alice.path) == data
    assert grade.read_regular(tmp_path / "mallory" / "01_mini_lesson.ipynb") is None
    assert grade.read_regular(tmp_path / "eve" / "01_mini_lesson.ipynb") is None
    with pytest.raises(ValueError):
        grade.read_regular(alice.path, limit=100)
    reasons = {s["path"]: s["reason"] for s in skipped}
    assert reasons == {".hidden": "hidden folder or file",
                       "alice/.ipynb_checkpoints": ".ipynb_checkpoints (autosaves)",
                       "alice/deep/01_mini_lesson.ipynb": "a second copy of 01_mini_lesson.ipynb for alice",
                       "alice/notes.ipynb": "not a notebook of the course",
                       "trudy": "symbolic link (not followed)"}


def test_csv_cells_cannot_become_formulas():
    g = grade.Grade("=HYPERLINK(\"http://x\")", "01_mini_lesson", max_score=10)
    for bad in ("+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert grade.csv_cell(bad) == "'" + bad
    rows = list(csv.reader(grade.grades_csv([g]).splitlines()))
    assert rows == [grade.COLUMNS, ["'=HYPERLINK(\"http://x\")", "01_mini_lesson", "0", "10", ""]]


# ---------------------------------------------------------------- the self-check (plain worker, visible tests)
def write(nb, path):
    nbformat.write(nb, str(path))
    return path


def answered(gids=None, **overrides):
    """The student edition with the exercises in ``gids`` (default: all) answered as in the source."""
    nb, src = student_version(source()), source()
    solutions = {C.grade_id(c): C.text(c) for c in src.cells if C.is_solution(c)}
    for cell in nb.cells:
        gid = C.grade_id(cell)
        if C.is_solution(cell) and (gids is None or gid in gids or gid in overrides):
            code = overrides.get(gid, solutions[gid])
            cell.source = "\n".join(l for l in code.splitlines() if "### " not in l)
    return nb


STEP_WRONG = "def step_function(x):\n    return (np.asarray(x) >= 0).astype(np.int64)"
MSE_WRONG = "def mean_squared_error(y, t):\n    return float(np.sum((np.asarray(y) - np.asarray(t)) ** 2))"


def test_self_check_unfinished_half_done_finished(tmp_path):
    unfinished = selfcheck.check(write(student_version(source()), tmp_path / "a.ipynb"), timeout=30)
    assert [r["status"] for r in unfinished["rows"]] == ["not_done"] * 5 and unfinished["notes"] == []
    assert selfcheck.exit_code(unfinished) == 1
    text = selfcheck.format_table(unfinished)
    assert text.count("NOT DONE") == 5 and "not done yet" in text and "note:" not in text

    half = answered({"exfx_step", "exfx_mse"}, exfx_sigmoid='def sigmoid(x):\n    return 1 / (1 + np.exp(x))')
    half = selfcheck.check(write(half, tmp_path / "b.ipynb"), timeout=30)
    assert [r["status"] for r in half["rows"]] == ["passed", "failed", "passed", "not_done", "not_done"]
    assert half["rows"][1]["message"].startswith("sigmoid(0) is 0.5, and sigmoid(-2), sigmoid(2) are 0.1192, 0.8808 -- ")
    assert "Hint: 1 / (1 + exp(-x))" in half["rows"][1]["message"]

    done = selfcheck.check(write(answered(), tmp_path / "c.ipynb"), timeout=30)
    assert selfcheck.exit_code(done) == 0 and all(r["status"] == "passed" for r in done["rows"])
    assert "all 5 exercises pass their visible tests (10/10 points" in selfcheck.format_table(done)


def test_self_check_shows_the_hint_when_the_students_code_raises(tmp_path):
    nb = answered(exfx_layer='class Scale:\n    def __init__(self, a):\n        self.a = a\n'
                             '    def forward(self, x):\n        return np.dot(self.a, x.T).T @ np.ones((3, 3))\n'
                             '    def backward(self, dout):\n        return dout')
    r = selfcheck.check(write(nb, tmp_path / "x.ipynb"), timeout=30)["rows"][4]
    assert r["status"] == "failed" and "your code raised ValueError: matmul" in r["message"]
    assert "Hint: return self.a * dout, never dout *= ..." in r["message"]


def test_self_check_names_an_unexpected_error_outside_the_exercises_and_only_that(tmp_path):
    nb = answered()
    demo = next(c for c in nb.cells if C.text(c).startswith("x_demo"))
    demo.source = "x_demo = np.linspace(-2.0, 2.0, 5)\nx_demo.reshape(3, 3)"
    edited = next(c for c in nb.cells if C.grade_id(c) == "exfx_mse_tests")
    edited.source += "\n# I changed the test"
    r = selfcheck.check(write(nb, tmp_path / "x.ipynb"), timeout=30)
    assert r["notes"] == ["cell 6 (`x_demo = np.linspace(-2.0, 2.0, 5)`) raised ValueError: cannot reshape array of "
                          "size 5 into shape (3,3): the exercises after it may fail because of it",
                          "you edited the locked cell exfx_mse_tests: the grader will use the original"]


def test_self_check_cli_numbers_json_and_exit_codes(tmp_path, capsys):
    work = tmp_path / "work"
    work.mkdir()
    write(answered(), work / "01_mini_lesson.ipynb")
    assert selfcheck.find_notebook("01", work) == work / "01_mini_lesson.ipynb"
    assert selfcheck.find_notebook("1", work) == work / "01_mini_lesson.ipynb"
    assert selfcheck.main("1", timeout=30, work=work) == 0
    assert "PASS" in capsys.readouterr().out
    assert selfcheck.main("07", work=work) == 2
    assert "no notebook called '07'" in capsys.readouterr().out
    (tmp_path / "broken.ipynb").write_text("{ not json")
    assert cli.main(["check", str(tmp_path / "broken.ipynb"), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"].startswith("cannot read")


def test_check_my_work_button_runs_on_the_saved_file_in_a_new_process(tmp_path):
    path = write(answered({"exfx_step"}), tmp_path / "01_mini_lesson.ipynb")
    result = selfcheck.run_check(path, timeout=30)
    html = selfcheck.table_html(result)
    assert "as saved at <b>" in html and "save first" in html.lower()
    assert html.count(">PASS<") == 1 and html.count(">NOT DONE<") == 4
    box = selfcheck.check_my_work(str(path))
    assert [type(w).__name__ for w in box.children] == ["HTML", "Button", "Output"]
    assert "<table>" not in selfcheck.table_html({**result, "rows": []})


# ---------------------------------------------------------------- the real notebooks, sandboxed
@pytest.fixture(scope="module")
def real_graded(tmp_path_factory):
    """Every source notebook graded as a submission through the sandbox (what calibration does before a real
    grading run): one grading run, 2 at a time. (The untouched student edition is a scenario of the bank.)"""
    sandbox_or_skip()
    root = tmp_path_factory.mktemp("real")
    (root / "source").mkdir()
    for path in REAL:
        shutil.copy(path, root / "source" / path.name)
    grades, _ = grade.grade_folder(root, ROOT / "notebooks", grade.Settings(timeout=60, jobs=2), calibrate=False,
                                   progress=False)
    return {g.notebook: g for g in grades}


def _why(g):
    return [(t["grade_id"], t["status"], t["detail"] or t["message"]) for t in g.tests if t["status"] != "passed"], \
        g.flags, g.details.get("diagnostics")


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_real_source_gets_full_marks_through_the_sandbox(real_graded, path):
    """The calibration of `make grade`: the source scores full marks, no flag. A test cell that uses a demo cell's
    variable, or passes the test's own objects to the student's code (docs/style.md), fails here."""
    g = real_graded[path.stem]
    assert (g.score, g.flags) == (g.max_score, []), _why(g)


# ---------------------------------------------------------------- nbgrader's ecosystem
def test_nbgrader_config_makes_each_notebook_an_assignment(tmp_path):
    """`nbgrader generate_assignment <notebook>` works on the layout `make release` writes, and agrees with it
    (apart from the raises-exception tags of the exercise cells, which only our release adds)."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    (tmp_path / "notebooks").mkdir()
    shutil.copy(FIXTURE, tmp_path / "notebooks")
    from course_lib.grading.release import link_sources
    link_sources([tmp_path / "notebooks" / FIXTURE.name], tmp_path / "source")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", FIXTURE.stem, "--force"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    made = C.read(tmp_path / "release" / FIXTURE.stem / FIXTURE.name)
    ours = student_version(source())
    for cell in ours.cells:
        if cell.metadata.get("tags") == ["raises-exception"]:
            del cell.metadata["tags"]
    assert nbformat.writes(made) == nbformat.writes(ours)
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}", course_id="nn-from-scratch") as gb:
        assert [a.name for a in gb.assignments] == [FIXTURE.stem]
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    assert NbGraderAPI(coursedir=CourseDirectory(root=str(tmp_path))).get_source_assignments() == {FIXTURE.stem}


def test_gradebook_loads_the_scores_per_exercise_into_nbgraders_database(tmp_path, capsys):
    """`python -m course_lib.grading gradebook DIR` writes what `grade` wrote (per test cell) through nbgrader's
    API; loading twice updates the same entries; formgrader reads them from there."""
    src = source()
    tests = [(C.grade_id(c), C.points(c)) for c in C.test_cells(src)]
    grades = []
    for student, earned in (("alice", [1, 2, 3, 2, 2]), ("=bob", [1, 0, 3, 0, 0])):
        g = grade.Grade(student, FIXTURE.stem, max_score=10, score=sum(earned))
        g.tests = [{"grade_id": gid, "points": float(p), "max_points": pts, "status": "passed" if p else "failed"}
                   for (gid, pts), p in zip(tests, earned)]
        grades.append(g)
    (tmp_path / "grades.csv").write_text(grade.grades_csv(grades))
    (tmp_path / "grading_details.json").write_text(grade.details_json(grades, [], True))
    db = tmp_path / "gradebook.db"
    for _ in range(2):
        assert cli.main(["gradebook", str(tmp_path), "--source", str(FIXTURE.parent), "--db", str(db)]) == 0
    assert "2 grades loaded" in capsys.readouterr().out
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{db}", course_id="nn-from-scratch") as gb:
        assert [a.name for a in gb.assignments] == [FIXTURE.stem] and len(gb.students) == 2
        alice, bob = gb.find_submission(FIXTURE.stem, "alice"), gb.find_submission(FIXTURE.stem, "=bob")
        assert (alice.score, alice.max_score, bob.score) == (10.0, 10.0, 4.0)
        assert gb.find_grade("exfx_mse_tests", FIXTURE.stem, FIXTURE.stem, "=bob").score == 3.0
    (tmp_path / "grades.csv").write_text(grade.grades_csv(grades[:1]))   # files of different runs: refused
    assert cli.main(["gradebook", str(tmp_path), "--source", str(FIXTURE.parent), "--db", str(db)]) == 2


def test_without_a_sandbox_grading_refuses_unless_told_and_then_flags_every_row(tmp_path, monkeypatch, capsys):
    (tmp_path / "alice").mkdir()
    write(answered(), tmp_path / "alice" / FIXTURE.name)
    (tmp_path / "bob").mkdir()
    write(answered(exfx_step=STEP_WRONG, exfx_mse=MSE_WRONG), tmp_path / "bob" / FIXTURE.name)
    monkeypatch.setenv("PYTHONOPTIMIZE", "2")   # an environment that strips asserts must not pass everyone
    args = ["grade", str(tmp_path), "--source", str(FIXTURE.parent), "--timeout", "30", "--jobs", "1", "--quiet"]
    monkeypatch.setattr(sandbox, "problem", lambda *a, **k: "bwrap not found")
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "no sandbox for the students' code: bwrap not found" in err and "--unsandboxed" in err
    assert not (tmp_path / "grades.csv").exists()
    assert cli.main(args + ["--unsandboxed"]) == 0
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert [(r["student"], r["score"], r["flags"]) for r in rows] == [("alice", "10", "unsandboxed"),
                                                                      ("bob", "6", "unsandboxed")]
    assert json.loads((tmp_path / "grading_details.json").read_text())["sandbox"] == "none (--unsandboxed)"


def test_a_course_folder_under_tmp_stays_visible_in_the_sandbox(tmp_path, monkeypatch):
    """The sandbox's own /tmp is an empty tmpfs; the folders it needs are mounted on top of it, so a checkout
    (or data folder) under /tmp -- a clone made with mktemp -- is still there for the student's process."""
    sandbox_or_skip()
    data = tmp_path / "data"
    data.mkdir()
    (data / "marker.txt").write_text("visible")
    monkeypatch.setenv("COURSE_DATA_DIR", str(data))
    if not str(data).startswith("/tmp/"):
        pytest.skip("pytest's temporary folder is not under /tmp here")
    s = remote.Student(sandbox.start_sandboxed(sandbox.Limits()), startup_timeout=120)
    try:
        code = f"from pathlib import Path\nassert Path({str(data / 'marker.txt')!r}).read_text() == 'visible'"
        reply = s.run_cell(code, timeout=60)
        assert reply["re"] == "ok", reply
    finally:
        s.kill()


def test_cells_are_parsed_one_at_a_time_when_submissions_are_graded_in_threads(monkeypatch):
    """CPython 3.11's ast module fails when two threads build trees at once ('AST constructor recursion depth
    mismatch', gh-106905); the grader plans `jobs` submissions in threads, so its parser takes a lock."""
    import ast
    import threading

    from course_lib.grading import engine

    inside, most = [0], [0]
    real_parse = ast.parse

    def slow_parse(*args, **kwargs):
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        time.sleep(0.05)
        inside[0] -= 1
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(engine.ast, "parse", slow_parse)
    threads = [threading.Thread(target=engine._tree, args=(f"x = {i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1, f"{most[0]} cells were parsed at the same time"
