"""Train the pretrained network of the inference chapter and save it as data/sample_weights.npz.

The book ships a pickled 784-50-100-10 sigmoid network (``sample_weight.pkl``, 93.52% on the test
set). We never load pickles, so we train our own, reproducibly (fixed seed), and save plain arrays:

    .venv/bin/python scripts/train_sample_weights.py

Result: keys W1 (784, 50), b1 (50,), W2 (50, 100), b2 (100,), W3 (100, 10), b3 (10,), float32.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from course_lib.data import load_mnist
from course_lib.networks import MultiLayerNet, predict_with_weights
from course_lib.training import Trainer

SEED = 20261122
OUT = Path(__file__).resolve().parent.parent / "data" / "sample_weights.npz"


def main() -> int:
    (x_train, t_train), (x_test, t_test) = load_mnist()
    net = MultiLayerNet(784, [50, 100], 10, activation="sigmoid", weight_init_std="xavier",
                        seed=SEED, dtype=np.float32)
    Trainer(net, x_train, t_train, x_test, t_test, epochs=5, mini_batch_size=100, optimizer="Adam",
            optimizer_param={"lr": 0.001}, seed=SEED, progress=False, verbose=True).train()
    weights = {k: v.astype(np.float32) for k, v in net.params.items()}
    acc = float(np.mean(np.argmax(predict_with_weights(weights, x_test), axis=1) == t_test))
    np.savez(OUT, **weights)
    print(f"saved {OUT.name}: test accuracy {acc:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
