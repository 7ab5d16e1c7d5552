"""Train the book's SimpleConvNet on MNIST and save its weights as data/simple_convnet.npz (float32, no pickle).

The book's ``ch07/train_convnet.py`` trains 20 epochs of Adam (lr 0.001) from ``weight_init_std=0.01`` and
ships ``params.pkl`` (a pickle, which we never load). This script trains the same network
(conv 30x5x5 - relu - pool 2x2 - affine 100 - relu - affine 10) with a shorter recipe, reproducibly:

- He initial weights (``weight_init_std='he'``), float32, fixed seed ``SEED``;
- Adam, learning rate 0.002, halved after every epoch; batches of 100, shuffled once per epoch
  (``course_lib.training.Trainer``); ``EPOCHS`` epochs.

Run::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/train_simple_convnet.py

The run that made the shipped file (2026-12-01; NumPy 2.4, one BLAS thread, on a 2-core Intel Xeon VM shared with
other work -- load average about 10 -- so the time is a poor guide): 4 epochs (2,400 steps) in 989 s, MNIST test
accuracy 0.9892 (9,892 of 10,000); file size 1.7 MB. The book's 20 epochs reach about 0.99.
``tests/test_simple_convnet.py`` checks that the shipped file reaches at least 0.985.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from course_lib.data import load_mnist
from course_lib.simple_convnet import SimpleConvNet
from course_lib.training import Trainer

SEED = 20261201
EPOCHS = 4
LR = 0.002


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "simple_convnet.npz")
    args = ap.parse_args(argv)

    (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
    network = SimpleConvNet(input_dim=(1, 28, 28),
                            conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},
                            hidden_size=100, output_size=10, weight_init_std="he", seed=SEED, dtype=np.float32)

    def halve_lr(trainer):  # a learning-rate schedule is a callback
        trainer.optimizer.lr *= 0.5

    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=args.epochs, mini_batch_size=100,
                      optimizer="Adam", optimizer_param={"lr": LR}, evaluate_sample_num_per_epoch=1000,
                      seed=SEED, verbose=True, callbacks=[halve_lr])
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    test_acc = network.accuracy(x_test, t_test, batch_size=1000)
    written = network.save_params(args.out)
    try:
        from threadpoolctl import threadpool_info

        threads = {d["internal_api"]: d["num_threads"] for d in threadpool_info()}
    except ImportError:
        threads = "threadpoolctl not installed"
    print(f"saved {written}: {args.epochs} epochs in {seconds:.0f} s (BLAS threads: {threads}), "
          f"test accuracy {test_acc:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
