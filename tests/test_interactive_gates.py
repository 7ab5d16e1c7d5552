"""Notebook 01's widget callbacks (course_lib.interactive.gates), without a browser."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.interactive import gates  # noqa: E402
from course_lib.perceptron import AND, GATE_WEIGHTS, INPUTS, NAND, OR, XOR, perceptron, truth_table  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.mark.parametrize("name, gate", [("AND", AND), ("NAND", NAND), ("OR", OR)])
def test_the_books_weights_are_named_and_tabled(name, gate, ax):
    shown = gates.show_gate(*GATE_WEIGHTS[name], ax=ax)
    assert shown["gate"] == name
    np.testing.assert_array_equal(shown["truth_table"], truth_table(gate))
    assert name in shown["title"] and ax.get_title() == shown["title"]


def test_nor_and_no_gate(ax):
    assert gates.show_gate(-0.5, -0.5, 0.2, ax=ax)["gate"] == "NOR"
    assert gates.show_gate(-0.5, -0.5, 0.2, ax=ax)["function"] == "NOR"
    shown = gates.show_gate(0.5, 0.5, 0.7, ax=ax)  # bias with the wrong sign: always 1
    assert shown["gate"] is None
    np.testing.assert_array_equal(shown["truth_table"], [1, 1, 1, 1])
    assert shown["function"] == "always 1" and "not a gate (always 1)" in shown["title"]


@pytest.mark.parametrize("seed", range(5))
def test_truth_table_matches_the_perceptron_for_random_weights(seed, ax):
    w1, w2, b = np.random.default_rng(seed).uniform(-1, 1, size=3)
    shown = gates.show_gate(w1, w2, b, ax=ax)
    expected = [perceptron(int(x1), int(x2), w1, w2, b) for x1, x2 in INPUTS]
    np.testing.assert_array_equal(shown["truth_table"], expected)
    assert shown["truth_table"].dtype.kind == "i"


def test_show_gate_draws_the_line_and_the_points(ax):
    gates.show_gate(0.5, 0.5, -0.7, ax=ax)
    (line,) = [ln for ln in ax.get_lines() if ln.get_linewidth() == 2]
    xs, ys = line.get_data()
    np.testing.assert_allclose(0.5 * xs + 0.5 * ys - 0.7, 0.0, atol=1e-12)  # on w1*x1 + w2*x2 + b = 0
    filled = ax.collections[-1].get_offsets()  # the points with output 1
    np.testing.assert_array_equal(np.asarray(filled), [[1, 1]])


def test_vertical_line_when_w2_is_zero(ax):
    shown = gates.show_gate(0.5, 0.0, -0.2, ax=ax)  # output = x1
    np.testing.assert_array_equal(shown["truth_table"], [0, 1, 0, 1])
    assert shown["gate"] is None and shown["function"] == "x1"


def test_function_names_cover_all_16_tables_and_match_the_gates():
    tables = {tuple(int(v) for v in np.binary_repr(k, 4)) for k in range(16)}
    assert set(gates.FUNCTION_NAMES) == tables
    assert len(set(gates.FUNCTION_NAMES.values())) == 16
    for name, gate in [("AND", AND), ("NAND", NAND), ("OR", OR), ("XOR", XOR)]:
        assert gates.function_name(truth_table(gate)) == name
    assert gates.function_name([1, 1, 0, 0]) == "NOT x2"  # output 1 exactly where x2 = 0
    with pytest.raises(ValueError):
        gates.function_name([0, 2, 1, 1])


def test_one_perceptron_reaches_14_functions_but_never_xor_or_xnor():
    rng = np.random.default_rng(0)
    seen = set()
    for w1, w2, b in rng.uniform(-1, 1, size=(3000, 3)):
        seen.add(gates.function_name(perceptron(INPUTS[:, 0], INPUTS[:, 1], w1, w2, b)))
    assert seen == set(gates.FUNCTION_NAMES.values()) - {"XOR", "XNOR"}


def test_format_truth_table():
    text = gates.format_truth_table(truth_table(AND))
    rows = text.splitlines()[2:]
    assert rows == [" 0  0 | 0", " 1  0 | 0", " 0  1 | 0", " 1  1 | 1"]
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        gates.format_truth_table([0, 1, 1])


def test_plot_xor_every_line_gets_a_point_wrong(ax):
    result = gates.plot_xor(ax=ax)
    assert len(result["mistakes"]) == 3 and min(result["mistakes"]) >= 1
    # a brute-force search agrees: no line on a grid of weights separates XOR
    t = truth_table(XOR)
    grid = np.linspace(-1, 1, 21)
    for w1 in grid:
        for w2 in grid:
            for b in grid:
                assert not np.array_equal(perceptron(INPUTS[:, 0], INPUTS[:, 1], w1, w2, b), t)


def test_gate_widget_builds_and_reacts():
    pytest.importorskip("ipywidgets")
    ui = gates.gate_widget(0.5, 0.5, -0.7)
    sliders = ui.children[:3]
    assert [s.description for s in sliders] == ["w1", "w2", "b"]
    assert ui.result["gate"] == "AND"
    sliders[2].value = -0.2  # AND -> OR
    assert ui.result["gate"] == "OR" and ui.result["b"] == pytest.approx(-0.2)
    assert plt.get_fignums() == []
