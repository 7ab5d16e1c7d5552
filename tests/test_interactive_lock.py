"""Every widget callback draws under the one drawing lock (``course_lib.interactive.DRAW_LOCK``).

With ipykernel 7, JupyterLab may run two widget callbacks at once on subshell threads, and pyplot is not
thread-safe. These tests hold the lock in the test's thread, move a widget from another thread, and check that
its callback waits for the lock -- and finishes once the lock is released.
"""
import importlib
import inspect
import pkgutil
import threading

import numpy as np
import pytest

widgets = pytest.importorskip("ipywidgets")

import matplotlib.pyplot as plt  # noqa: E402

from course_lib import interactive  # noqa: E402
from course_lib.interactive import activations, backprop, descent, forward, gates, losses, numpy_axes, start  # noqa: E402
from course_lib.interactive import initialization, regularization, speed, trainer_ui  # noqa: E402
from course_lib.interactive import convolution as cnn  # noqa: E402


def _controls(box):
    """The controls inside ``box`` (sliders, drop-downs, check boxes, buttons), depth first; not labels or outputs."""
    found = []
    for child in getattr(box, "children", ()):
        if isinstance(child, (widgets.Button, widgets.Checkbox)) or hasattr(child, "options") \
                or (hasattr(child, "min") and hasattr(child, "value")):  # sliders
            found.append(child)
        found.extend(_controls(child))
    return found


def _move(control):
    """Change ``control`` the way a student would: the next option, one step on, or a click."""
    if isinstance(control, widgets.Button):
        control.click()
    elif isinstance(control, widgets.Checkbox):
        control.value = not control.value
    elif hasattr(control, "options"):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        control.value = options[(options.index(control.value) + 1) % len(options)]
    elif isinstance(control, widgets.FloatLogSlider):
        control.value = control.value * 10 ** control.step
    else:
        step = control.step or 1
        control.value = control.value + step if control.value + step <= control.max else control.value - step


def _assert_waits_for_the_lock(control):
    done = threading.Event()
    errors = []

    def student_moves_it():
        try:
            _move(control)
        except BaseException as e:  # noqa: BLE001 -- reported in the test's thread
            errors.append(e)
        finally:
            done.set()

    with interactive.DRAW_LOCK:
        worker = threading.Thread(target=student_moves_it, daemon=True)
        worker.start()
        waited = not done.wait(0.3)  # the callback must block while the lock is held elsewhere
    assert done.wait(60), "the callback never finished after the lock was released"
    worker.join()
    assert not errors, errors
    assert waited, f"{type(control).__name__} {getattr(control, 'description', '')!r}: its callback ran " \
                   f"without waiting for DRAW_LOCK"


@pytest.fixture
def tiny_net():
    rng = np.random.default_rng(0)
    net = {"W1": rng.normal(0, 0.1, (784, 5)), "b1": np.zeros(5), "W2": rng.normal(0, 1.0, (5, 10)),
           "b2": np.zeros(10)}
    return net, rng.random((20, 784)), rng.integers(0, 10, 20)


def _speed_data():
    """1,000 samples of 20 features and 4 classes: the speed widget measures a step in microseconds."""
    rng = np.random.default_rng(0)
    return rng.random((1000, 20), dtype=np.float32), np.arange(1000) % 4


BUILDERS = {
    "gate_widget": lambda: gates.gate_widget(0.5, 0.5, -0.7),
    "activation_widget": lambda: activations.activation_widget("sigmoid", 1.0, 0.0),
    "softmax_temperature_widget": lambda: forward.softmax_temperature_widget(),
    "loss_widget": lambda: losses.loss_widget(),
    "descent_widget": lambda: descent.descent_widget(lr=0.1, step_num=5),
    "shopping_graph_widget": lambda: backprop.shopping_graph_widget(),
    "bug_check_widget": lambda: backprop.bug_check_widget(),
    "steepness_widget": lambda: start.steepness_widget(a=1.0),
    "reduction_widget": lambda: numpy_axes.reduction_widget(),
    "output_size_widget": lambda: cnn.output_size_widget(),
    "filter_editor": lambda: cnn.filter_editor(np.random.default_rng(0).random((28, 28))),
    "weight_decay_widget": lambda: regularization.weight_decay_widget(epochs=2),
    "dropout_widget": lambda: regularization.dropout_widget(epochs=2),
    "init_spread_widget": lambda: initialization.init_spread_widget(layers=3),
    "speed_widget": lambda: speed.speed_widget(*_speed_data(), batch_size=10),
}
#: builders with a test of their own below
TESTED_BELOW = {"digit_browser", "trainer_widget"}


def test_every_builder_is_tested_here():
    """A builder is a public function of a widget module that wires controls with ``interact``."""
    found = set()
    for m in pkgutil.iter_modules(interactive.__path__):
        module = importlib.import_module(f"{interactive.__name__}.{m.name}")
        found |= {name for name, obj in vars(module).items()
                  if inspect.isfunction(obj) and obj.__module__ == module.__name__ and not name.startswith("_")
                  and "interact(" in inspect.getsource(obj)}
    assert {"init_spread_widget", "speed_widget", "filter_editor"} <= found
    assert found <= set(BUILDERS) | TESTED_BELOW, f"add these to BUILDERS: {sorted(found - set(BUILDERS) - TESTED_BELOW)}"


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_control_of_the_widget_draws_under_the_lock(name):
    box = BUILDERS[name]()
    controls = [c for c in _controls(box) if not isinstance(c, widgets.Play)]  # Play only moves the slider
    assert controls, f"{name} has no control"
    for control in controls:
        _assert_waits_for_the_lock(control)
    plt.close("all")


def test_digit_browser_draws_under_the_lock(tiny_net):
    net, x, t = tiny_net
    box = forward.digit_browser(x, t, net)
    for control in _controls(box):
        _assert_waits_for_the_lock(control)
    plt.close("all")


def test_training_ui_trains_and_draws_under_the_lock(mnist):
    (x_train, t_train), (x_test, t_test) = mnist
    box = trainer_ui.trainer_widget(data=((x_train[:300], t_train[:300]), (x_test[:100], t_test[:100])), epochs=1)
    button = next(c for c in _controls(box) if isinstance(c, widgets.Button))
    first = box.result
    _assert_waits_for_the_lock(button)
    assert box.result is not first  # it trained once the lock was free
    plt.close("all")


def test_the_lock_is_reentrant_and_released_afterwards():
    def nested():
        with interactive.drawing():
            with interactive.drawing():  # the training UI's per-epoch redraw runs inside its training callback
                pass

    worker = threading.Thread(target=nested, daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "nested drawing() deadlocked"
    assert interactive.DRAW_LOCK.acquire(blocking=False)  # nobody holds it any more
    interactive.DRAW_LOCK.release()
