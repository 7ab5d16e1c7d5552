"""Logic gates as perceptrons, with the book's weights."""
import numpy as np
import pytest

from course_lib.perceptron import AND, GATE_WEIGHTS, NAND, OR, XOR, identify_gate, perceptron, truth_table


@pytest.mark.parametrize("gate,expected", [(AND, [0, 0, 0, 1]), (NAND, [1, 1, 1, 0]), (OR, [0, 1, 1, 1]),
                                           (XOR, [0, 1, 1, 0])])
def test_truth_tables(gate, expected):
    assert truth_table(gate).tolist() == expected


def test_gates_return_ints_for_numbers_and_arrays_for_arrays():
    assert AND(1, 1) == 1 and isinstance(AND(1, 1), int)
    out = XOR(np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]))
    assert out.tolist() == [0, 1, 1, 0]


def test_book_weights_and_identification():
    assert GATE_WEIGHTS["AND"] == (0.5, 0.5, -0.7)
    for name, w in GATE_WEIGHTS.items():
        assert identify_gate(*w) == name
    assert identify_gate(-0.5, -0.5, 0.2) == "NOR"
    assert identify_gate(1.0, -1.0, 0.0) is None  # x1 AND NOT x2 is no named gate here


def test_no_single_perceptron_computes_xor():
    grid = np.linspace(-1, 1, 21)
    found = [(w1, w2, b) for w1 in grid for w2 in grid for b in grid if identify_gate(w1, w2, b) == "XOR"]
    assert found == []
    assert perceptron(1, 1, 0.5, 0.5, -0.7) == 1
