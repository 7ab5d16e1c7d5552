"""Where the time of one training step goes: ``python bench/profile_step.py [--steps 3000] [--threads 1]``.

The book setup (``TwoLayerNet`` 784-50-10 ReLU, float32, SGD lr 0.1, batches of 100 gathered from a shuffled
order): every part of a step is timed on its own, in the order ``TwoLayerNet.gradient`` and
``Trainer.train_step`` run them, and printed in microseconds per step. The per-step figures in the Speed section
of README.md come from here; ``bench/run.py`` times whole runs.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def profile(steps: int = 3000, n_train=None, seed: int = 0) -> dict:
    """Microseconds per step for each part of a training step; ``'total'`` is their sum."""
    import numpy as np

    from course_lib.data import load_mnist
    from course_lib.networks import TwoLayerNet
    from course_lib.optimizers import SGD

    (x_train, t_train), _ = load_mnist()
    x_train, t_train = x_train[:n_train], t_train[:n_train]
    net = TwoLayerNet(784, 50, 10, weight_init_std="he", seed=seed, dtype=np.float32)
    affine1, relu, affine2 = net.layers["Affine1"], net.layers["Activation1"], net.layers["Affine2"]
    loss_layer, optimizer = net.last_layer, SGD(lr=0.1)
    rng = np.random.default_rng(seed)
    N, batch = len(x_train), 100
    parts = ("gather the batch", "Affine1.forward", "Relu.forward", "Affine2.forward", "SoftmaxWithLoss.forward",
             "SoftmaxWithLoss.backward", "Affine2.backward", "Relu.backward", "Affine1.backward (no dx)",
             "SGD.update")
    seconds = dict.fromkeys(parts, 0.0)
    clock = time.perf_counter
    last = 0.0

    def lap(part):  # the time since the previous lap goes to `part`
        nonlocal last
        now = clock()
        seconds[part] += now - last
        last = now

    order = rng.permutation(N)
    for step in range(steps):
        i = (step * batch) % N
        if i + batch > N:  # a new epoch: a new order
            order, i = rng.permutation(N), 0
        last = clock()
        idx = order[i:i + batch]
        x, t = x_train[idx], t_train[idx]
        lap("gather the batch")
        h = affine1.forward(x)
        lap("Affine1.forward")
        r = relu.forward(h)
        lap("Relu.forward")
        s = affine2.forward(r)
        lap("Affine2.forward")
        loss_layer.forward(s, t)
        lap("SoftmaxWithLoss.forward")
        dout = loss_layer.backward(1)
        lap("SoftmaxWithLoss.backward")
        dout = affine2.backward(dout)
        lap("Affine2.backward")
        dout = relu.backward(dout)
        lap("Relu.backward")
        affine1.backward(dout)  # the first layer is built with needs_dx=False
        lap("Affine1.backward (no dx)")
        optimizer.update(net.params, {"W1": affine1.dW, "b1": affine1.db, "W2": affine2.dW, "b2": affine2.db})
        lap("SGD.update")
    us = {name: s / steps * 1e6 for name, s in seconds.items()}
    us["total"] = sum(us.values())
    return us


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1, as in bench/run.py)")
    args = ap.parse_args(argv)
    if "numpy" not in sys.modules:  # the thread count must be set before NumPy loads its BLAS
        for var in THREAD_VARS:
            os.environ[var] = str(args.threads)
    sys.path.insert(0, str(ROOT))
    us = profile(args.steps)
    print(f"one step of the book setup, {args.steps} steps, {args.threads} BLAS thread(s): microseconds per step")
    for name, v in us.items():
        print(f"  {name:28s} {v:7.1f}")
    print(f"  = {us['total'] * 1e4 / 1e6:.2f} s per 10,000 steps (plus the per-epoch accuracy checks of a real run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
