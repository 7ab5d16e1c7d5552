"""Perceptrons and logic gates (book chapter 2).

A perceptron outputs 1 when ``w1*x1 + w2*x2 + b > 0`` and 0 otherwise. The
gates use the book's weights. Inputs may be numbers (the result is an int)
or arrays of one shape (the result is an int array of that shape).
"""
from __future__ import annotations

import numpy as np

__all__ = ["perceptron", "AND", "NAND", "OR", "XOR", "GATE_WEIGHTS", "INPUTS", "truth_table", "identify_gate"]

#: The book's weights ``(w1, w2, b)`` for the three single-layer gates.
GATE_WEIGHTS = {
    "AND": (0.5, 0.5, -0.7),
    "NAND": (-0.5, -0.5, 0.7),
    "OR": (0.5, 0.5, -0.2),
}

#: The four input pairs, shape ``(4, 2)``, in truth-table order.
INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])


def perceptron(x1, x2, w1: float, w2: float, b: float):
    """1 if ``w1*x1 + w2*x2 + b > 0`` else 0. Numbers -> int; arrays -> int array (same shape)."""
    out = (w1 * np.asarray(x1) + w2 * np.asarray(x2) + b > 0).astype(np.int64)
    return int(out) if out.ndim == 0 else out


def AND(x1, x2):
    """AND gate: weights (0.5, 0.5), bias -0.7."""
    return perceptron(x1, x2, *GATE_WEIGHTS["AND"])


def NAND(x1, x2):
    """NAND gate: weights (-0.5, -0.5), bias 0.7."""
    return perceptron(x1, x2, *GATE_WEIGHTS["NAND"])


def OR(x1, x2):
    """OR gate: weights (0.5, 0.5), bias -0.2."""
    return perceptron(x1, x2, *GATE_WEIGHTS["OR"])


def XOR(x1, x2):
    """XOR as a two-layer perceptron: ``AND(NAND(x1, x2), OR(x1, x2))``."""
    return AND(NAND(x1, x2), OR(x1, x2))


_TARGETS = {
    "AND": (0, 0, 0, 1),
    "NAND": (1, 1, 1, 0),
    "OR": (0, 1, 1, 1),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
}


def truth_table(gate) -> np.ndarray:
    """The gate's outputs for ``INPUTS``: an int array of shape ``(4,)``. ``gate`` is a function ``(x1, x2) -> 0/1``."""
    return np.array([gate(int(x1), int(x2)) for x1, x2 in INPUTS], dtype=np.int64)


def identify_gate(w1: float, w2: float, b: float):
    """The name of the gate that the weights implement (``'AND'``, ``'NAND'``, ``'OR'``, ``'NOR'``, ...), or None."""
    outputs = tuple(int(v) for v in perceptron(INPUTS[:, 0], INPUTS[:, 1], w1, w2, b))
    for name, target in _TARGETS.items():
        if outputs == target:
            return name
    return None
