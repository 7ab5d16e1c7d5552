"""The appendix A1's measurements: best_time, a training step taken apart, and the speed widget."""
import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from course_lib.interactive import speed


@pytest.fixture(scope="module")
def data():
    """300 samples of 20 features and 4 classes: a step takes microseconds."""
    rng = np.random.default_rng(0)
    return rng.random((300, 20), dtype=np.float32), rng.permutation(np.arange(300) % 4)


def _blas_threads():
    return [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]


def test_best_time_is_the_best_round_per_call():
    import time

    calls = []

    def f():  # the first round is slow (as if the machine were busy), the later ones are not
        calls.append(1)
        if len(calls) <= 2:
            time.sleep(0.02)

    seconds = speed.best_time(f, number=2, repeat=3)
    assert len(calls) == 6
    assert seconds < 0.005  # per call, from a fast round: the slow round (20 ms per call) is not the best


def test_step_parts_times_every_part_of_a_step_in_order(data):
    x, t = data
    parts = speed.step_parts(x, t, batch_size=32, hidden_size=8, steps=20)
    names = list(parts)
    assert names[0] == "gather the batch" and names[-1] == "SGD.update"
    forward = [n for n in names if n.endswith(".forward")]
    backward = [n for n in names if n.endswith(".backward")]
    # every layer forward, then the loss, then every layer backward in reverse order
    assert forward[-1] == "SoftmaxWithLoss.forward" and backward[0] == "SoftmaxWithLoss.backward"
    layers = [n.removesuffix(".forward") for n in forward[:-1]]
    assert [n.removesuffix(".backward") for n in backward[1:]] == layers[::-1]
    assert layers[0] == "Affine1" and len(layers) == 3
    assert all(us > 0 for us in parts.values())


def test_step_parts_sets_the_threads_only_while_it_measures(data, monkeypatch):
    x, t = data
    before = _blas_threads()
    seen = []

    class SpySGD(speed.SGD):  # records the BLAS thread count at every update of the measured steps
        def update(self, params, grads):
            seen.append(_blas_threads())
            super().update(params, grads)

    monkeypatch.setattr(speed, "SGD", SpySGD)
    speed.step_parts(x, t, batch_size=50, hidden_size=8, steps=20, threads=1)
    assert len(seen) == 25 and all(all(n == 1 for n in s) for s in seen)  # 5 warm-up steps + 20
    assert _blas_threads() == before


def test_step_parts_rejects_a_batch_larger_than_the_data(data):
    x, t = data
    with pytest.raises(ValueError, match="batch_size"):
        speed.step_parts(x, t, batch_size=301)


def test_show_step_parts_draws_one_bar_per_part_and_sums_them(data):
    x, t = data
    shown = speed.show_step_parts(batch_size=30, threads=1, dtype="float64", x=x, t=t, hidden_size=8, steps=20)
    parts = shown["parts"]
    assert shown["total_us"] == pytest.approx(sum(parts.values()))
    assert shown["per_image_us"] == pytest.approx(shown["total_us"] / 30)
    assert shown["products_us"] == pytest.approx(sum(us for n, us in parts.items() if n.startswith("Affine")))
    bars = shown["ax"].patches
    assert len(bars) == len(parts)
    assert sorted(b.get_width() for b in bars) == pytest.approx(sorted(parts.values()))
    assert shown["settings"] == {"batch_size": 30, "threads": 1, "dtype": "float64"}
    assert "batch 30" in shown["ax"].get_title() and "float64" in shown["ax"].get_title()


def test_show_step_parts_needs_the_training_set():
    with pytest.raises(ValueError, match="x="):
        speed.show_step_parts(100)


def test_the_widget_measures_again_when_a_control_moves(data):
    pytest.importorskip("ipywidgets")
    x, t = data
    box = speed.speed_widget(x, t, batch_size=10)
    assert box.result["settings"]["batch_size"] == 10
    batch = box.children[0]
    batch.value = 100
    assert box.result["settings"]["batch_size"] == 100
    dtype = box.children[2]
    dtype.value = "float64"
    assert box.result["settings"]["dtype"] == "float64"
    with threadpool_limits(limits=1):
        assert 1 in box.children[1].options
