"""Numerical differentiation, gradient descent and gradient checks (book chapter 4).

``numerical_gradient(f, x)`` follows the book's calling convention: it nudges
the entries of ``x`` *in place*, calls ``f(x)`` and puts every entry back.
That is what lets ``lambda W: net.loss(x, t)`` work for a network's weights.
"""
from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

__all__ = [
    "numerical_diff",
    "numerical_gradient",
    "gradient_descent",
    "GRADIENT_CHECK_TOL",
    "relative_error",
    "gradient_check",
    "check_network_gradients",
]


def numerical_diff(f: Callable[[float], float], x, h: float = 1e-4):
    """Central difference ``(f(x + h) - f(x - h)) / (2h)``.

    f: a function of one number; x: a number (or an array, element-wise).
    The central difference has error O(h**2); the forward difference
    ``(f(x + h) - f(x)) / h`` only O(h). ``h = 1e-4`` balances truncation
    against rounding: ``h = 1e-50`` gives ``x + h == x`` in float64, hence 0.
    """
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    f: called as ``f(x)``; returns a number.
    x: float array of any shape. Its entries are changed one at a time during
       the computation and restored afterwards, also when ``f`` raises.
    Returns an array of ``x``'s shape and dtype.

    Raises ``TypeError`` for an integer array: ``x[i] + 1e-4`` would be
    stored as an integer again (``3 + 1e-4 -> 3``, ``3 - 1e-4 -> 2``), so the result
    would be silent nonsense (``[25000, 35000]`` instead of ``[6, 8]`` for ``x0**2 + x1**2``).
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"numerical_gradient needs a NumPy float array x, got {type(x).__name__}; "
                        "use np.array(..., dtype=float)")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"numerical_gradient needs a float array, got dtype {x.dtype}: "
                        "x[i] + h would be stored as an integer again and the gradient would be nonsense. "
                        "Convert first, e.g. x = x.astype(np.float64)")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        idx = it.multi_index
        tmp = x[idx].copy()
        try:
            x[idx] = tmp + h
            fxh1 = f(x)
            x[idx] = tmp - h
            fxh2 = f(x)
        finally:
            x[idx] = tmp
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        it.iternext()
    return grad


def gradient_descent(f: Callable[[np.ndarray], float], init_x, lr: float = 0.01, step_num: int = 100,
                     return_history: bool = False):
    """Plain gradient descent ``x <- x - lr * grad f(x)`` for ``step_num`` steps.

    init_x: array of any shape; it is copied, never modified.
    Returns the final ``x`` (same shape); with ``return_history=True`` also an
    array of shape ``(step_num + 1, *x.shape)`` holding every visited point.
    """
    x = np.array(init_x, dtype=np.float64)  # a copy, as float
    history = [x.copy()]
    for _ in range(step_num):
        grad = numerical_gradient(f, x)
        x -= lr * grad
        history.append(x.copy())
    if return_history:
        return x, np.array(history)
    return x


#: The one threshold of the course's gradient checks: relative errors below it mean "the gradients agree".
#: Why 1e-4: see ``gradient_check``.
GRADIENT_CHECK_TOL = 1e-4


def relative_error(a, b, eps: float = 1e-12) -> float:
    """Relative error ``||a - b|| / (||a|| + ||b||)`` of two arrays of the same shape.

    a, b: arrays of the same shape -> a float between 0 and 1. Below ``GRADIENT_CHECK_TOL`` (1e-4) two
    gradients agree; around 1e-2 or more one of them is wrong. (Norms, not entries: an entry that is 0 in
    one and 1e-12 in the other is noise, not a 100% error.)
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} vs {b.shape}")
    denom = max(float(np.linalg.norm(a) + np.linalg.norm(b)), eps)
    return float(np.linalg.norm(a - b) / denom)


def gradient_check(analytic: Mapping[str, np.ndarray], numerical: Mapping[str, np.ndarray],
                   verbose: bool = True) -> dict:
    """Compare analytic (backprop) and numerical gradients, parameter by parameter.

    analytic, numerical: dicts ``name -> array`` with the same keys and shapes
    (e.g. ``'W1'`` of shape ``(784, 50)``).
    Returns ``{name: {"relative": relative error, "max_abs": largest |analytic - numerical| of one entry}}``.
    With ``verbose`` prints one line per parameter, CS231n-style::

        W1: relative error 4.9e-07, largest difference 1.3e-08  ok (should be < 1e-04)

    The verdict uses the relative error (``relative_error``: norms of the whole gradient) with one
    threshold for the whole course, ``GRADIENT_CHECK_TOL = 1e-4``. What size to expect in float64, with
    central differences and ``h = 1e-4``:

    - the difference quotient itself is off by about ``h**2 * |f'''| / 6 ~ 1e-9`` (truncation) plus
      ``eps * |f| / h ~ 1e-12`` (rounding, ``eps = 2.2e-16``): a correct backward agrees to about 1e-9;
    - our networks' loss adds a larger difference: ``cross_entropy_error`` takes ``log(y + delta)`` with
      ``delta = 1e-7`` (the book's guard against ``log(0)``), while backprop's ``(y - t) / N`` is the
      gradient without ``delta``. Per sample they differ by about ``delta / y_t`` (``y_t``: the probability
      of the right class), ``1e-6`` when ``y_t ~ 0.1``: a correct check of a freshly initialised network
      prints 1e-7 to 1e-5;
    - a wrong backward gives 1e-2 or more, and so does the same check in float32 (``f(W + h) - f(W - h)``
      keeps only a few correct digits).

    1e-4 lies between the two (CS231n: below 1e-4 "usually okay" where there are kinks, above 1e-2
    "probably wrong"). Check a fresh network with small weights (the book's ``weight_init_std=0.01``, or 0.1):
    with large weights, or after training, one confidently wrong sample (``y_t ~ 1e-5``) alone gives 1e-2 --
    a false alarm caused by ``delta``, not by backprop. ``max_abs`` says how far off the worst single entry
    is, in the gradient's own units.
    """
    if set(analytic) != set(numerical):
        raise ValueError(f"gradient_check: different parameter names, {sorted(analytic)} vs {sorted(numerical)}")
    errors = {}
    for key in analytic:
        relative = relative_error(analytic[key], numerical[key])
        difference = np.asarray(analytic[key], dtype=np.float64) - numerical[key]
        max_abs = float(np.max(np.abs(difference), initial=0.0))
        errors[key] = {"relative": relative, "max_abs": max_abs}
        if verbose:
            verdict = "ok" if relative < GRADIENT_CHECK_TOL else "MISMATCH"
            print(f"{key}: relative error {relative:.1e}, largest difference {max_abs:.1e}  "
                  f"{verdict} (should be < {GRADIENT_CHECK_TOL:.0e})")
    return errors


def check_network_gradients(network, x, t, verbose: bool = True) -> dict:
    """Gradient check for a network with ``gradient(x, t)`` and ``numerical_gradient(x, t)``.

    x: inputs ``(N, D)``; t: labels ``(N,)`` or ``(N, C)``. Use a few samples and float64 parameters:
    the numerical gradient calls the loss twice per parameter.
    Returns ``{param name: {"relative": ..., "max_abs": ...}}`` (see ``gradient_check``).
    """
    return gradient_check(network.gradient(x, t), network.numerical_gradient(x, t), verbose=verbose)
