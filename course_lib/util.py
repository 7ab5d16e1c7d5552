"""Small helpers of the book's chapter 6 (``common/util.py``): smoothing a noisy curve, shuffling a
dataset, and splitting a validation set off the training set.

None of them modifies its inputs; the shuffles are seeded (the book uses ``np.random.permutation``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["smooth_curve", "shuffle_dataset", "split_validation"]


def smooth_curve(x, window_len: int = 11):
    """A smoothed copy of a noisy curve (e.g. the loss per iteration), as the book draws its loss plots.

    x: ``(n,)`` -> float array ``(n,)``: a weighted moving average (a Kaiser window of ``window_len``
    points, the book's choice) with the ends mirrored, so the result has the same length and is not
    pulled towards 0 at the edges. A curve shorter than the window is returned as a float copy.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"smooth_curve expects a 1-d curve, got shape {x.shape}")
    if x.size < window_len:
        return x.copy()
    s = np.r_[x[window_len - 1:0:-1], x, x[-1:-window_len:-1]]
    w = np.kaiser(window_len, 2)
    y = np.convolve(w / w.sum(), s, mode="valid")
    half = window_len // 2
    return y[half:len(y) - half]


def _check_pair(name, x, t):
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim == 0 or t.ndim == 0 or len(x) != len(t):
        raise ValueError(f"{name}: x and t must hold the same number of samples (rows); "
                         f"got x {x.shape} and t {t.shape}")
    return x, t


def shuffle_dataset(x, t, seed=None, rng=None):
    """The samples of ``(x, t)`` in a random order (the same order for both).

    x: ``(N, ...)`` (rows of pixels, or images ``(N, C, H, W)``); t: ``(N,)`` or ``(N, C)``.
    seed / rng: the order comes from ``np.random.default_rng(seed)`` or from the generator ``rng``.
    Returns new arrays ``x_shuffled, t_shuffled`` (copies: fancy indexing); the inputs are not modified.
    """
    x, t = _check_pair("shuffle_dataset", x, t)
    rng = rng if rng is not None else np.random.default_rng(seed)
    permutation = rng.permutation(x.shape[0])
    return x[permutation], t[permutation]


def split_validation(x_train, t_train, validation_rate: float = 0.2, seed=0):
    """Split a seeded random ``validation_rate`` of the *training* set off as a validation set.

    x_train ``(N, ...)``, t_train ``(N,)`` or ``(N, C)`` -> ``(x_train, t_train), (x_val, t_val)`` with
    ``int(N * validation_rate)`` validation samples and the rest for training; every sample lands in
    exactly one part. Tune hyper-parameters on the validation set and look at the test set once, at the
    end: this function never sees the test set. The parts are new arrays (the inputs are not modified);
    for big sets slice first (``x_train[:5000]``) so the copies stay small.
    """
    x, t = _check_pair("split_validation", x_train, t_train)
    N = x.shape[0]
    validation_num = int(N * validation_rate)
    if not 0 < validation_num < N:
        raise ValueError(f"split_validation: validation_rate={validation_rate} of {N} samples gives "
                         f"{validation_num} validation samples; choose a rate that leaves at least one in each part")
    x, t = shuffle_dataset(x, t, seed=seed)
    return (x[validation_num:], t[validation_num:]), (x[:validation_num], t[:validation_num])
