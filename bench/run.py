"""Speed benchmarks of course_lib (issue 7): ``make bench`` or ``python bench/run.py``.

Every row runs in its own Python process (``python bench/run.py --row NAME``), and the repeats are
interleaved (course, torch, floor, ..., course, torch, floor, ...) so that a noisy neighbour on a shared
machine slows all rows alike. The figures are medians over the repeats. The thread count of the BLAS
libraries (NumPy's OpenBLAS, PyTorch's MKL/OpenMP) is set per process with environment variables and
``torch.set_num_threads``, and recorded with the machine's load in ``bench/results.json``.

Rows
- ``mnist``: ``load_mnist()`` from the memory-mapped ``.npy`` cache.
- ``twolayer_course``: the book's setup -- ``TwoLayerNet`` 784-50-10 ReLU (He init, float32), SGD lr 0.1,
  batch 100, 10,000 iterations -- trained by ``course_lib.training.Trainer`` (per-epoch accuracy on 1,000 train
  and 1,000 test images, as the torch row does). Time = ``trainer.train()``; accuracy on all 10,000 test images.
- ``twolayer_torch``: the same in PyTorch (``nn.Linear`` x2, ``CrossEntropyLoss``, ``optim.SGD``), same
  batches-without-replacement scheme, same per-epoch evaluation. "not installed" without torch. Timed twice: the
  batch gathered as ``X[idx]`` (``torch_s``, the target's reference) and as ``torch.index_select`` (faster).
- ``twolayer_floor``: only the matrix products of that run (x@W1, h@W2, dout@W2.T, h.T@dout, x.T@dout1,
  float32, 10,000 times) -- the floor no NumPy implementation can go below.
- ``keras_setup``: the architecture of the learner's Keras notes, 784-50(sigmoid)-10 with Xavier init, float32,
  trained twice: ``faithful_*`` = the notes' own setup (Adam lr 0.001, batch 32, 10 epochs = 18,750 steps) and
  ``course_*`` = the fastest recipe we found for the same architecture (``KERAS_FAST``: batch 128, Adam lr 0.01
  multiplied by 0.75 after every epoch, 10 epochs = 4,690 steps). The issue-7 target applies to ``course_*``.
- ``best``: the best plain course_lib MLP we train within 30 s on 2 cores (see ``BEST``; 2 BLAS threads).
- ``gradients``: one numerical gradient of the 784-50-10 net on a batch of 100 (float64) against one
  backprop gradient. The numerical one is timed on a sample of the parameters and scaled up to all of them
  (``--full-numerical`` times all 39,760: about 20 s or more).
- ``suite``: every notebook in ``notebooks/`` executed in a fresh kernel (not written back).
- ``conv_layer``: one forward pass of ``SimpleConvNet``'s convolution (100 MNIST images, 30 filters of 5x5, float32)
  three ways: four Python loops (timed on 10 images, scaled to 100), ``course_lib.convolution.Convolution``
  (im2col + one matrix product) and PyTorch's ``torch.nn.functional.conv2d``.
- ``convnet_train``: the book's ``SimpleConvNet`` trained to >= 0.985 MNIST test accuracy (``CONVNET``: He init,
  float32, Adam lr 0.002 halved after every epoch, batch 100, 2 epochs, ``Trainer``), with ``--best-threads`` BLAS
  threads, against the same network and recipe in PyTorch (``torch_*``) in the same run.
- ``grading``: ``make grade`` of 100 submissions of one notebook (``GRADING["notebook"]``; copies of the source, so
  every cell and every test runs to its end) on 2 cores (``--jobs 2``), sandboxed, calibration included.
- ``grading_07``: the same for notebook 07 (the slowest: it trains networks before its exercises), with fewer
  submissions (the time for 100 is scaled from them) and without calibration (so that it is timed even while 07's
  tests do not meet the grader's rules; ``full_marks`` says whether they do).
- ``sandbox_cost``: what the sandbox adds per notebook: the same submission of notebook 01 graded sandboxed and
  ``--unsandboxed``, one at a time, interleaved; the difference of the medians.
- ``overfit``: chapter 6's overfitting set-up of notebook 08 (300 training images, 784-100x6-10 ReLU, Adam, 40
  epochs: ``course_lib.interactive.regularization.train_overfit_setup``, the notebook's own runs) without a remedy,
  with weight decay, with dropout, with both, and with early stopping (300 + 75 validation images, patience 5):
  train accuracy on the 300 images, test accuracy and loss on all 10,000 test images, and the gap.
- ``fashion``: the best course MLP on Fashion-MNIST within 60 s on 2 cores (see ``FASHION``; 2 BLAS threads).

Usage: ``python bench/run.py [--repeats 3] [--threads 1] [--rows a,b] [--quick]``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
#: Variables that make OpenBLAS use other kernels than the ones it picks for this CPU (some machine images set them
#: to work around bugs of old OpenBLAS builds on new CPUs). The rows inherit them; the configuration records them.
KERNEL_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_KERNEL_PROBE = """
import json
import numpy  # loads NumPy's OpenBLAS
try:
    from threadpoolctl import threadpool_info
except ImportError:
    print("null")
else:
    print(json.dumps(next((d.get("architecture") for d in threadpool_info() if d.get("internal_api") == "openblas"),
                          None)))
"""

#: The book's chapter-5 setup.
BOOK = {"hidden": 50, "lr": 0.1, "batch": 100, "iters": 10000, "eval_n": 1000}
#: The learner's Keras notes: 784-50(sigmoid)-10, Adam (Keras default lr 0.001, batch 32), 10 epochs.
KERAS = {"hidden": 50, "lr": 0.001, "batch": 32, "epochs": 10, "eval_n": 1000}
#: The same architecture, the fastest recipe found: bigger batches (fewer, cheaper-per-image steps), a 10x larger
#: learning rate, multiplied by 0.75 after every epoch (a Trainer callback).
KERAS_FAST = {"hidden": 50, "lr": 0.01, "batch": 128, "epochs": 10, "decay": 0.75, "eval_n": 1000}
#: The "best plain MLP within 30 s on 2 cores": MultiLayerNet 784-800-800-10 ReLU, He init, float32, Adam lr 0.0015,
#: 7 epochs, the learning rate halved after every epoch from the fourth. Trained with 2 BLAS threads (``--best-threads``).
#: Seeds 0-5 on a 2-core AMD EPYC (OpenBLAS's own AVX-512 kernels): 0.9852 0.9870 0.9856 0.9867 0.9856 0.9854. The
#: recipe before (6 epochs, halved from the third) gave 0.9862 0.9850 0.9848 0.9853 there: see bench/README.md.
BEST = {"hidden": [800, 800], "lr": 0.0015, "batch": 128, "epochs": 7, "decay_from": 4, "decay": 0.5, "eval_n": 1000}

#: SimpleConvNet (the book's sizes) to >= 0.985: He init, float32, Adam lr 0.002 halved after every epoch, batch 100.
#: Seed 0 reaches 0.9867 after 2 epochs (2-core Intel Xeon VM, with 1 and with 2 threads); the shipped weights: 0.9892.
CONVNET = {"lr": 0.002, "decay": 0.5, "batch": 100, "epochs": 2, "eval_n": 1000}

#: Grading: the notebook of the 100-submission row (a lesson of typical length: see bench/README.md), and how many
#: submissions of notebook 07 are graded to scale its figure to 100.
GRADING = {"notebook": "04_loss_functions", "n": 100, "n_07": 10, "jobs": 2}

#: Notebook 08's remedies, as the notebook uses them.
OVERFIT_ROW = {"weight_decay_lambda": 0.03, "dropout_ratio": 0.2, "epochs": 40, "patience": 5}
#: The best course MLP on Fashion-MNIST within 60 s on 2 cores: MultiLayerNet 784-512-512-10 ReLU, He, float32, Adam
#: lr 0.001 multiplied by 0.8 after every epoch from the 6th, batch 128, 15 epochs. Chosen on a validation split (the
#: last 10,000 training images; trained on the first 50,000): 0.9015 there (784-800-800-10 for 12 epochs: 0.9001;
#: 784-256-256-256-10 for 20 epochs: 0.9013; 512-512 with dropout 0.2: 0.9013), then trained on all 60,000.
FASHION = {"hidden": [512, 512], "lr": 0.001, "batch": 128, "epochs": 15, "decay_from": 6, "decay": 0.8,
           "eval_n": 1000}

ROWS = ("mnist", "twolayer_floor", "twolayer_course", "twolayer_torch", "keras_setup", "gradients", "best", "suite",
        "memory", "overfit", "fashion", "conv_layer", "convnet_train", "grading", "grading_07", "sandbox_cost")
ONCE = {"best", "gradients", "suite", "memory", "overfit", "fashion", "convnet_train", "grading", "grading_07",
        "sandbox_cost"}  # rows measured once per invocation (they take long)
TWO_CORE_ROWS = {"best", "fashion", "convnet_train"}  # targets set "on 2 cores": run with --best-threads


# --------------------------------------------------------------------------
# rows: each returns a dict of numbers (seconds, accuracies); they run inside a child process
# --------------------------------------------------------------------------
def _mnist(n_train=None, n_test=None):
    from course_lib.data import load_mnist

    (x_train, t_train), (x_test, t_test) = load_mnist()
    return (x_train[:n_train], t_train[:n_train]), (x_test[:n_test], t_test[:n_test])


def row_mnist(**_) -> dict:
    from course_lib.data import load_mnist

    load_mnist()  # the first call may build the cache
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        load_mnist()
        times.append(time.perf_counter() - t0)
    return {"cache_load_s": statistics.median(times)}


def row_twolayer_course(iters=BOOK["iters"], n_train=None, **_) -> dict:
    import numpy as np

    from course_lib.networks import TwoLayerNet
    from course_lib.training import Trainer

    (x_train, t_train), (x_test, t_test) = _mnist(n_train)
    net = TwoLayerNet(784, BOOK["hidden"], 10, weight_init_std="he", seed=0, dtype=np.float32)
    trainer = Trainer(net, x_train, t_train, x_test, t_test, iters_num=iters, mini_batch_size=BOOK["batch"],
                      optimizer="SGD", optimizer_param={"lr": BOOK["lr"]},
                      evaluate_sample_num_per_epoch=BOOK["eval_n"], seed=0, progress=False)
    t0 = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - t0
    return {"course_s": seconds, "course_test_acc": net.accuracy(x_test, t_test), "iterations": trainer.current_iter}


def row_twolayer_torch(iters=BOOK["iters"], n_train=None, threads=1, **_) -> dict:
    """Two PyTorch loops: ``torch_*`` gathers the batch as ``X[idx]`` (what tutorials and the learner's notes do;
    the issue-7 target is set against it), ``torch_index_select_*`` as ``torch.index_select(X, 0, idx)``, which is
    the same rows ~60 us faster per step with PyTorch 2.13 on the CPU -- reported so that nobody has to guess."""
    try:
        import torch
    except ImportError:
        return {"torch_s": "not installed", "torch_test_acc": "not installed"}

    torch.set_num_threads(threads)
    out = {}
    for key, gather in (("torch", lambda X, idx: X[idx]),
                        ("torch_index_select", lambda X, idx: torch.index_select(X, 0, idx))):
        seconds, acc = _train_torch(torch, gather, iters, n_train)
        out[f"{key}_s"], out[f"{key}_test_acc"] = seconds, acc
    out["torch_threads"] = torch.get_num_threads()
    return out


def _train_torch(torch, gather, iters, n_train):
    import numpy as np

    torch.manual_seed(0)
    (x_train, t_train), (x_test, t_test) = _mnist(n_train)
    X, T = torch.from_numpy(x_train), torch.from_numpy(t_train.astype(np.int64))
    Xte, Tte = torch.from_numpy(x_test), torch.from_numpy(t_test.astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(784, BOOK["hidden"]), torch.nn.ReLU(), torch.nn.Linear(BOOK["hidden"], 10))
    opt = torch.optim.SGD(model.parameters(), lr=BOOK["lr"])
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    N, n = len(X), BOOK["eval_n"]
    t0 = time.perf_counter()
    it = 0
    while it < iters:
        perm = torch.randperm(N, generator=gen)
        for i in range(0, N, BOOK["batch"]):
            if it >= iters:
                break
            idx = perm[i:i + BOOK["batch"]]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(gather(X, idx)), T[idx])
            loss.backward()
            opt.step()
            it += 1
        with torch.no_grad():  # the same per-epoch evaluation as Trainer's
            (model(X[:n]).argmax(1) == T[:n]).float().mean().item()
            (model(Xte[:n]).argmax(1) == Tte[:n]).float().mean().item()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == Tte).float().mean().item()
    return seconds, acc


def row_twolayer_floor(iters=BOOK["iters"], **_) -> dict:
    import numpy as np

    rng = np.random.default_rng(0)
    N, D, H, C = BOOK["batch"], 784, BOOK["hidden"], 10
    x = rng.random((N, D), dtype=np.float32)
    W1 = rng.random((D, H), dtype=np.float32)
    W2 = rng.random((H, C), dtype=np.float32)
    h = rng.random((N, H), dtype=np.float32)
    d2 = rng.random((N, C), dtype=np.float32)
    d1 = rng.random((N, H), dtype=np.float32)
    t0 = time.perf_counter()
    for _ in range(iters):
        x @ W1          # forward, layer 1
        h @ W2          # forward, layer 2
        d2 @ W2.T       # backward: dx of layer 2
        h.T @ d2        # backward: dW2
        x.T @ d1        # backward: dW1 (dx of layer 1 is not needed)
    return {"floor_s": time.perf_counter() - t0}


def _train_keras_architecture(cfg, epochs, n_train, seed=0):
    import numpy as np

    from course_lib.networks import TwoLayerNet
    from course_lib.training import Trainer

    (x_train, t_train), (x_test, t_test) = _mnist(n_train)
    net = TwoLayerNet(784, cfg["hidden"], 10, weight_init_std="xavier", activation="sigmoid", seed=seed,
                      dtype=np.float32)
    decay = cfg.get("decay", 1.0)

    def schedule(trainer):  # a learning-rate schedule is a callback
        trainer.optimizer.lr *= decay

    trainer = Trainer(net, x_train, t_train, x_test, t_test, epochs=epochs, mini_batch_size=cfg["batch"],
                      optimizer="Adam", optimizer_param={"lr": cfg["lr"]},
                      evaluate_sample_num_per_epoch=cfg["eval_n"], seed=seed, progress=False,
                      callbacks=[schedule] if decay != 1.0 else [])
    t0 = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - t0
    return seconds, net.accuracy(x_test, t_test)


def row_keras_setup(epochs=None, n_train=None, **_) -> dict:
    fast_s, fast_acc = _train_keras_architecture(KERAS_FAST, epochs or KERAS_FAST["epochs"], n_train)
    faithful_s, faithful_acc = _train_keras_architecture(KERAS, epochs or KERAS["epochs"], n_train)
    return {"course_s": fast_s, "course_test_acc": fast_acc, "faithful_s": faithful_s,
            "faithful_test_acc": faithful_acc,
            "course_recipe": f"batch {KERAS_FAST['batch']}, Adam lr {KERAS_FAST['lr']} x{KERAS_FAST['decay']} "
                             f"per epoch, {KERAS_FAST['epochs']} epochs",
            "faithful_recipe": f"batch {KERAS['batch']}, Adam lr {KERAS['lr']}, {KERAS['epochs']} epochs"}


def row_best(epochs=BEST["epochs"], n_train=None, hidden=BEST["hidden"], threads=1, seed=0, **_) -> dict:
    import numpy as np

    from course_lib.networks import MultiLayerNet
    from course_lib.training import Trainer

    (x_train, t_train), (x_test, t_test) = _mnist(n_train)
    net = MultiLayerNet(784, hidden, 10, activation="relu", weight_init_std="he", seed=seed, dtype=np.float32)

    def decay(trainer):  # a learning-rate schedule is a callback
        if trainer.current_epoch >= BEST["decay_from"]:
            trainer.optimizer.lr *= BEST["decay"]

    trainer = Trainer(net, x_train, t_train, x_test, t_test, epochs=epochs, mini_batch_size=BEST["batch"],
                      optimizer="Adam", optimizer_param={"lr": BEST["lr"]},
                      evaluate_sample_num_per_epoch=BEST["eval_n"], seed=seed, progress=False, callbacks=[decay])
    t0 = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - t0
    sizes = "-".join(str(h) for h in [784, *hidden, 10])
    return {"train_s": seconds, "test_acc": net.accuracy(x_test, t_test), "threads": threads,
            "model": f"MultiLayerNet {sizes} ReLU He f32, Adam lr {BEST['lr']} x{BEST['decay']} per epoch from "
                     f"epoch {BEST['decay_from']}, batch {BEST['batch']}, {epochs} epochs, {threads} BLAS threads"}


def row_gradients(sample=2000, full=False, **_) -> dict:
    import numpy as np

    from course_lib.gradient import numerical_gradient
    from course_lib.networks import TwoLayerNet

    (x_train, t_train), _ = _mnist(100)
    x = x_train.astype(np.float64)
    net = TwoLayerNet(784, 50, 10, weight_init_std=0.01, seed=0)
    n_params = sum(p.size for p in net.params.values())
    t0 = time.perf_counter()
    for _ in range(20):
        net.gradient(x, t_train)
    backprop = (time.perf_counter() - t0) / 20
    if full:
        t0 = time.perf_counter()
        net.numerical_gradient(x, t_train)
        numerical, timed = time.perf_counter() - t0, n_params
    else:  # central differences on `sample` entries of W1 (2 losses each), scaled to every parameter
        W1 = net.params["W1"]
        view = W1.reshape(-1)[:sample]
        f = lambda _: net.loss(x, t_train)  # noqa: E731
        t0 = time.perf_counter()
        numerical_gradient(f, view)
        numerical, timed = (time.perf_counter() - t0) * n_params / sample, sample
    return {"numerical_s": numerical, "backprop_s": backprop, "ratio": numerical / backprop,
            "numerical_params_timed": timed, "params": n_params}


def notebook_client(nb, path: Path, timeout: int, **kwargs):
    """nbclient's runner for notebook ``nb`` read from ``path`` (cwd = its folder), without nbclient's stand-in for
    JupyterLab's Output widget. The bench keeps no outputs, and the stand-in sends on the kernel's shell socket while
    the cell's reply is awaited on it: on a busy machine pyzmq then reads the reply only at the cell's timeout (a
    widget cell of 01, 07 or 08 "stalled" for the whole timeout, with kernels forked or not)."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}, **kwargs)
    client.comm_open_handlers = {"jupyter.widget": lambda msg: None}
    return client


def row_suite(**_) -> dict:
    import nbformat

    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    per, failed = {}, []
    t_all = time.perf_counter()
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        t0 = time.perf_counter()
        try:
            notebook_client(nb, p, timeout=600).execute()
        except Exception as e:  # a broken notebook is reported, the others are still timed
            failed.append(f"{p.stem}: {type(e).__name__}")
        per[p.stem] = round(time.perf_counter() - t0, 2)
    return {"notebooks_s": time.perf_counter() - t_all, "per_notebook_s": per, "failed": failed}


# --------------------------------------------------------------------------
# memory of the notebooks' kernels (issue 17)
# --------------------------------------------------------------------------
#: Targets (MB = 2**20 bytes of USS, private memory) and how often the kernel is looked at.
MEMORY = {"per_notebook_mb": 250, "all_open_mb": 1024, "interval_s": 0.2}
#: The kernels' environment on the class hub (course_hub/settings.py: user_environment), set for the measured kernels.
HUB_KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
#: The extension the hub's environment loads in every kernel (course_hub/etc/ipython_kernel_config.json): among other
#: things it gives the memory a cell freed back to the system.
HUB_KERNEL_ARGS = ["--ext=course_hub.kernel"]
_MB = 2 ** 20


def use_forked_kernels(forked: bool) -> None:
    """Start the next kernels as the class hub does, forked from a template that holds the imports
    (``course_hub.forking``), or each as its own process (JupyterLab on a laptop)."""
    from jupyter_client.provisioning import KernelProvisionerFactory

    KernelProvisionerFactory.instance().default_provisioner_name = "course-forking" if forked else "local-provisioner"


def templates_memory() -> dict:
    """USS/PSS/RSS (MB) of the kernel templates this process started (``course_hub.forking``), summed, themselves
    only (their children are the kernels)."""
    from course_hub.forking import ForkingProvisioner

    readings = [process_memory(t.proc.pid, descendants=False) for t in ForkingProvisioner.templates.values()
                if t.alive()]
    return {key: sum(r[key] for r in readings) for key in ("uss", "pss", "rss")}


def _descendants(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux: /proc/<pid>/task/<tid>/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for children in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                todo += [int(c) for c in children.read_text().split()]
            except OSError:  # the thread or process ended meanwhile
                pass
    return out


def process_memory(pid: int, descendants: bool = True) -> dict:
    """USS, PSS and RSS in MB of process ``pid`` and its descendants, summed -- read from /proc/<pid>/smaps_rollup,
    as psutil's ``memory_full_info`` does (USS = Private_Clean + Private_Dirty + Private_Hugetlb).

    USS: the pages only these processes map (what the system would get back if they ended); PSS: each page divided
    by the number of processes that map it; RSS: every page they map. A page of a memory-mapped file that a second
    process maps too is shared: it leaves the USS, and the PSS counts half of it."""
    total = {"uss": 0.0, "pss": 0.0, "rss": 0.0}
    for p in _descendants(pid) if descendants else [pid]:
        try:
            lines = Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()[1:]
        except OSError:  # ended meanwhile (or not Linux)
            continue
        kb = {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in lines)}
        total["uss"] += (kb.get("Private_Clean", 0) + kb.get("Private_Dirty", 0) + kb.get("Private_Hugetlb", 0)) / 1024
        total["pss"] += kb.get("Pss", 0) / 1024
        total["rss"] += kb.get("Rss", 0) / 1024
    return total


class PeakSampler:
    """Reads ``process_memory(pid)`` every ``interval`` seconds in a thread; ``stop()`` takes a last reading and
    returns the peaks ``{'uss', 'pss', 'rss'}`` (each its own maximum) and the number of readings."""

    def __init__(self, pid: int, interval: float = MEMORY["interval_s"]):
        import threading

        self.pid, self.interval = pid, interval
        self.peak = {"uss": 0.0, "pss": 0.0, "rss": 0.0}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _read(self) -> dict:
        now = process_memory(self.pid)
        for key, value in now.items():
            self.peak[key] = max(self.peak[key], value)
        self.samples += 1
        return now

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._read()

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        self._read()
        return {**self.peak, "samples": self.samples}


def dataset_files() -> list:
    """The memory-mapped cache files of MNIST and Fashion-MNIST that exist (``course_lib.data``'s ``.npy`` files)."""
    from course_lib import data

    return sorted(p for name in data.DATASETS for p in data.dataset_dir(name).glob("*.npy"))


def hold_pages(files) -> None:
    """Map ``files`` (``.npy``) read-only, read every page, print ``ready`` and wait until stdin closes: another
    process that maps the same files, as other students' kernels do on a class server."""
    import numpy as np

    held = [np.load(f, mmap_mode="r", allow_pickle=False) for f in files]
    for a in held:
        a.reshape(-1).view(np.uint8).sum()  # touch every page of the mapping (a uint8 view: no float work)
    print("ready", flush=True)
    sys.stdin.read()


class PageHolder:
    """A child process holding the pages of ``files`` (see ``hold_pages``) until ``close()``."""

    def __init__(self, files):
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--hold-pages", *map(str, files)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_child_env(1))
        if self.proc.stdout.readline().strip() != "ready":
            self.close()
            raise RuntimeError("the process that holds the dataset pages did not start")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def run_notebook_measured(path: Path, keep_alive: bool = False, interval: float = MEMORY["interval_s"]):
    """Execute notebook ``path`` in a fresh kernel (cwd = its folder; not written back) while sampling the kernel's
    memory. Returns ``(memory, seconds, error, client)``: the peaks of ``PeakSampler``, the run's wall time, the
    error's class name (None if it ran to the end) and, with ``keep_alive``, the NotebookClient whose kernel is still
    running (``client.km``; shut it down with ``client._cleanup_kernel()``), else None."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    box = {}

    def start_sampling(**_):  # nbclient's hook: the kernel has started and answers
        box["sampler"] = PeakSampler(client.km.provisioner.process.pid, interval)

    client = notebook_client(nb, path, timeout=180, on_notebook_start=start_sampling, extra_arguments=HUB_KERNEL_ARGS)
    t0, error = time.perf_counter(), None
    try:
        client.execute(cleanup_kc=not keep_alive, env={**os.environ, **HUB_KERNEL_ENV})
    except Exception as e:  # a broken notebook is reported, the others are still measured
        error = type(e).__name__
    seconds = time.perf_counter() - t0
    memory = box["sampler"].stop() if "sampler" in box else {}
    return memory, seconds, error, (client if keep_alive and client.km is not None else None)


def measure_memory(paths, shared_files, interval: float = MEMORY["interval_s"], forked: bool = True) -> dict:
    """Each notebook of ``paths`` run twice, each time in a fresh kernel, with its peak USS/PSS/RSS:

    - ``alone``: no other process maps ``shared_files`` (every page of them the kernel touched counts as its own);
    - ``server``: another process maps every page of ``shared_files`` meanwhile (a class server, where other
      students' kernels use the same dataset cache): those pages are shared, out of the kernel's USS.
    In the second pass every kernel stays alive: ``all_open`` is the sum over all of them at the end (one user with
    every notebook open), read while the other process still holds the files (``all_open_server``) and after it
    ended (``all_open``: the user alone on the machine; pages two of the user's kernels share still leave the USS).

    ``forked`` (the class hub's way, ``course_hub.forking``): every kernel is forked from one template process that
    holds the imports; the pages a kernel still shares with it are in no kernel's USS, so ``all_open`` adds the
    template's whole RSS (an upper bound: it counts the system libraries it shares with every process too) and
    ``template`` reports it. Without ``forked`` each kernel is its own process.
    """
    out = {"alone": {}, "server": {}, "seconds": {}, "failed": [], "forked": forked}
    use_forked_kernels(forked)
    try:
        _measure_memory(out, paths, shared_files, interval)
    finally:
        if forked:
            from course_hub.forking import stop_templates

            stop_templates()
        use_forked_kernels(False)
    return out


def _measure_memory(out: dict, paths, shared_files, interval: float) -> None:
    for p in paths:
        memory, seconds, error, _ = run_notebook_measured(p, interval=interval)
        out["alone"][p.stem], out["seconds"][p.stem] = memory, seconds
        if error:
            out["failed"].append(f"{p.stem}: {error}")
    holder = PageHolder(shared_files)
    clients = []
    try:
        for p in paths:
            memory, _, error, client = run_notebook_measured(p, keep_alive=True, interval=interval)
            out["server"][p.stem] = memory
            if error:
                out["failed"].append(f"{p.stem} (server): {error}")
            if client is not None:
                clients.append(client)
        pids = [c.km.provisioner.process.pid for c in clients]

        def summed():
            readings = [process_memory(pid) for pid in pids]
            total = {key: sum(r[key] for r in readings) for key in ("uss", "pss", "rss")}
            template = out["template"] = templates_memory()
            total["uss"] += template["rss"]
            total["pss"] += template["pss"]
            total["rss"] += template["rss"]
            return total

        out["all_open_server"] = summed()
        holder.close()
        time.sleep(0.5)
        out["all_open"] = summed()
        out["all_open_kernels"] = len(pids)
    finally:
        holder.close()
        for c in clients:
            c._cleanup_kernel()


def row_memory(notebooks=None, interval=MEMORY["interval_s"], forked=True, **_) -> dict:
    """Peak USS/PSS/RSS (MB) of every notebook's kernel, alone and on a class server, and all notebooks open at once:
    see ``measure_memory``. ``notebooks``: stems to measure (default: all); ``forked``: kernels as on the class hub
    (forked from a template), else each its own process."""
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if notebooks:
        paths = [p for p in paths if p.stem in notebooks]
    m = measure_memory(paths, dataset_files(), interval, forked=forked)
    r1 = lambda v: round(v, 1)  # noqa: E731
    out = {}
    for stem in m["alone"]:
        alone, server = m["alone"][stem], m["server"].get(stem, {})
        out[f"{stem}_peak_mb"] = r1(alone.get("uss", float("nan")))
        out[f"{stem}_peak_pss_mb"] = r1(alone.get("pss", float("nan")))
        out[f"{stem}_peak_rss_mb"] = r1(alone.get("rss", float("nan")))
        out[f"{stem}_server_peak_mb"] = r1(server.get("uss", float("nan")))
        out[f"{stem}_server_peak_pss_mb"] = r1(server.get("pss", float("nan")))
        out[f"{stem}_server_peak_rss_mb"] = r1(server.get("rss", float("nan")))
    out["all_open_mb"] = r1(m["all_open"]["uss"])
    out["all_open_pss_mb"], out["all_open_rss_mb"] = r1(m["all_open"]["pss"]), r1(m["all_open"]["rss"])
    out["all_open_server_mb"] = r1(m["all_open_server"]["uss"])
    out["all_open_server_pss_mb"] = r1(m["all_open_server"]["pss"])
    out["all_open_server_rss_mb"] = r1(m["all_open_server"]["rss"])
    out["all_open_kernels"] = m["all_open_kernels"]
    out["forked_kernels"] = m["forked"]
    out["template_rss_mb"], out["template_uss_mb"] = r1(m["template"]["rss"]), r1(m["template"]["uss"])
    out["max_peak_mb"] = max(out[f"{s}_peak_mb"] for s in m["alone"])
    out["max_server_peak_mb"] = max(out[f"{s}_server_peak_mb"] for s in m["alone"])
    out["seconds_per_notebook"] = {s: round(v, 1) for s, v in m["seconds"].items()}
    out["failed"] = m["failed"]
    out["shared_files_mb"] = r1(sum(f.stat().st_size for f in dataset_files()) / _MB)
    return out


def _conv_loops(x, W, b):
    """The convolution with four Python loops (stride 1, no padding): one NumPy call per output pixel."""
    import numpy as np

    N, C, H, W_ = x.shape
    FN, _, FH, FW = W.shape
    out = np.zeros((N, FN, H - FH + 1, W_ - FW + 1), dtype=x.dtype)
    for n in range(N):
        for f in range(FN):
            for i in range(H - FH + 1):
                for j in range(W_ - FW + 1):
                    out[n, f, i, j] = np.sum(x[n, :, i:i + FH, j:j + FW] * W[f]) + b[f]
    return out


def row_conv_layer(n_images=100, n_loop=10, repeats=5, threads=1, **_) -> dict:
    """Best of ``repeats``: loops (on ``n_loop`` images, scaled to ``n_images``), im2col, torch conv2d."""
    import numpy as np

    from course_lib.convolution import Convolution

    (x_train, _), _ = _mnist(n_images)
    x = x_train.reshape(-1, 1, 28, 28)
    rng = np.random.default_rng(0)
    W = (0.2 * rng.standard_normal((30, 1, 5, 5))).astype(np.float32)
    b = np.zeros(30, dtype=np.float32)
    layer = Convolution(W, b)
    ref = layer.forward(x)

    def best(f, number=1):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(number):
                f()
            times.append((time.perf_counter() - t0) / number)
        return min(times)

    out = {"shape": f"x {tuple(x.shape)}, W {W.shape}, float32", "im2col_s": best(lambda: layer.forward(x), 10)}
    assert np.allclose(_conv_loops(x[:2], W, b), ref[:2], atol=1e-4)
    out["loops_s"] = best(lambda: _conv_loops(x[:n_loop], W, b)) * len(x) / n_loop
    out["loops_over_im2col"] = out["loops_s"] / out["im2col_s"]
    try:
        import torch
    except ImportError:
        out["torch_s"] = "not installed"
        return out
    torch.set_num_threads(threads)
    xt, Wt, bt = torch.from_numpy(x), torch.from_numpy(W), torch.from_numpy(b)
    with torch.no_grad():
        assert np.allclose(torch.nn.functional.conv2d(xt, Wt, bt).numpy(), ref, atol=1e-4)
        out["torch_s"] = best(lambda: torch.nn.functional.conv2d(xt, Wt, bt), 10)
    out["im2col_over_torch"] = out["im2col_s"] / out["torch_s"]
    return out


def row_convnet_train(epochs=CONVNET["epochs"], n_train=None, n_test=None, threads=1, seed=0, **_) -> dict:
    """SimpleConvNet with course_lib's Trainer, then the same network and recipe in PyTorch."""
    import numpy as np

    from course_lib.simple_convnet import SimpleConvNet
    from course_lib.training import Trainer

    (x_train, t_train), (x_test, t_test) = _mnist(n_train, n_test)
    x_train, x_test = x_train.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)
    net = SimpleConvNet(weight_init_std="he", seed=seed, dtype=np.float32)

    def decay(trainer):  # a learning-rate schedule is a callback
        trainer.optimizer.lr *= CONVNET["decay"]

    trainer = Trainer(net, x_train, t_train, x_test, t_test, epochs=epochs, mini_batch_size=CONVNET["batch"],
                      optimizer="Adam", optimizer_param={"lr": CONVNET["lr"]},
                      evaluate_sample_num_per_epoch=CONVNET["eval_n"], seed=seed, progress=False, callbacks=[decay])
    t0 = time.perf_counter()
    trainer.train()
    out = {"course_s": time.perf_counter() - t0, "course_test_acc": net.accuracy(x_test, t_test, batch_size=500),
           "threads": threads, "iterations": trainer.current_iter,
           "recipe": f"SimpleConvNet 30x5x5-pool-100-10, He f32, Adam lr {CONVNET['lr']} x{CONVNET['decay']} per "
                     f"epoch, batch {CONVNET['batch']}, {epochs} epochs, {threads} threads"}
    try:
        import torch
    except ImportError:
        out["torch_s"] = out["torch_test_acc"] = "not installed"
        return out
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(4320, 100),
                          nn.ReLU(), nn.Linear(100, 10))
    opt = torch.optim.Adam(model.parameters(), lr=CONVNET["lr"])
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=CONVNET["decay"])
    loss_fn = nn.CrossEntropyLoss()
    X, T = torch.from_numpy(x_train), torch.from_numpy(t_train.astype(np.int64))
    Xte, Tte = torch.from_numpy(x_test), torch.from_numpy(t_test.astype(np.int64))
    gen = torch.Generator().manual_seed(seed)
    n = CONVNET["eval_n"]
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(len(X), generator=gen)
        for i in range(0, len(X), CONVNET["batch"]):
            idx = perm[i:i + CONVNET["batch"]]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(X[idx]), T[idx]).backward()
            opt.step()
        sched.step()
        with torch.no_grad():  # the same per-epoch evaluation as Trainer's
            (model(X[:n]).argmax(1) == T[:n]).float().mean().item()
            (model(Xte[:n]).argmax(1) == Tte[:n]).float().mean().item()
    out["torch_s"] = time.perf_counter() - t0
    with torch.no_grad():
        out["torch_test_acc"] = (model(Xte).argmax(1) == Tte).float().mean().item()
    out["course_over_torch"] = out["course_s"] / out["torch_s"]
    return out
def _grade_copies(notebook: str, n: int, jobs: int, sandboxed: bool = True, calibrate: bool = True) -> dict:
    """``make grade`` of ``n`` copies of a source notebook (honest, complete submissions): wall time and scores."""
    import shutil
    import tempfile

    from course_lib.grading import grade

    src = ROOT / "notebooks" / f"{notebook}.ipynb"
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        root = Path(tmp) / "submitted"
        for i in range(n):
            (root / f"s{i:03d}").mkdir(parents=True)
            shutil.copy(src, root / f"s{i:03d}" / src.name)
        t0 = time.perf_counter()
        grades, _ = grade.grade_folder(root, src.parent, grade.Settings(jobs=jobs, sandboxed=sandboxed),
                                       calibrate=calibrate, progress=False)
        wall = time.perf_counter() - t0
    full = sum(g.score == g.max_score and set(g.flags) <= {"unsandboxed"} for g in grades)
    return {"s": wall, "full_marks": full, "submissions": n}


def row_grading(n=GRADING["n"], notebook=GRADING["notebook"], jobs=GRADING["jobs"], **_) -> dict:
    r = _grade_copies(notebook, n, jobs)
    return {"notebook": notebook, "submissions": n, "jobs": jobs, "s": r["s"], "per_submission_s": r["s"] / n,
            "full_marks": r["full_marks"]}


def row_grading_07(n=GRADING["n_07"], jobs=GRADING["jobs"], **_) -> dict:
    r = _grade_copies("07_training_mnist", n, jobs, calibrate=False)
    return {"submissions": n, "jobs": jobs, "s": r["s"], "per_submission_s": r["s"] / n,
            "scaled_to_100_s": r["s"] / n * 100, "full_marks": r["full_marks"]}


def row_sandbox_cost(n=5, notebook="01_perceptron", **_) -> dict:
    """One submission graded (``grade.grade_one``: the trusted process, the student's process, the tests) with and
    without the sandbox, ``n`` times each, interleaved so that a noisy neighbour slows both alike."""
    from course_lib.grading import cells, grade

    source = cells.read(ROOT / "notebooks" / f"{notebook}.ipynb")
    times = {True: [], False: []}
    for _ in range(n):
        for sandboxed in (True, False):
            t0 = time.perf_counter()
            g = grade.grade_one(source, source, "bench", notebook, grade.Settings(jobs=1, sandboxed=sandboxed))
            times[sandboxed].append(time.perf_counter() - t0)
            assert g.score == g.max_score, (g.tests, g.details)
    s, p = statistics.median(times[True]), statistics.median(times[False])
    return {"notebook": notebook, "sandboxed_s": s, "unsandboxed_s": p, "added_s": s - p, "repeats": n}
def row_overfit(epochs=OVERFIT_ROW["epochs"], **_) -> dict:
    import numpy as np

    from course_lib.data import load_mnist
    from course_lib.interactive.regularization import OVERFIT, data_loss, train_overfit_setup
    from course_lib.networks_extend import MultiLayerNetExtend
    from course_lib.training import Trainer
    from course_lib.util import split_validation

    (x_train, t_train), (x_test, t_test) = load_mnist()
    lam, ratio = OVERFIT_ROW["weight_decay_lambda"], OVERFIT_ROW["dropout_ratio"]
    out = {}
    t0 = time.perf_counter()
    for name, kwargs in (("plain", {}), ("weight_decay", {"weight_decay_lambda": lam}),
                         ("dropout", {"dropout_ratio": ratio}),
                         ("both", {"weight_decay_lambda": lam, "dropout_ratio": ratio})):
        net = train_overfit_setup(epochs=epochs, seed=0, **kwargs)["network"]
        train_acc = net.accuracy(x_train[:OVERFIT["n_train"]], t_train[:OVERFIT["n_train"]])
        out[f"{name}_train_acc"], out[f"{name}_test_acc"] = train_acc, net.accuracy(x_test, t_test)
        out[f"{name}_gap"] = train_acc - out[f"{name}_test_acc"]
        out[f"{name}_test_loss"] = float(np.mean([data_loss(net, x_test[i:i + 1000], t_test[i:i + 1000])
                                                  for i in range(0, 10000, 1000)]))
    # early stopping, as in the notebook: 300 training + 75 validation images
    (x_tr, t_tr), (x_val, t_val) = split_validation(x_train[:375], t_train[:375], validation_rate=0.2, seed=0)
    net = MultiLayerNetExtend(784, OVERFIT["hidden"], 10, seed=0, dtype=np.float32)
    trainer = Trainer(net, x_tr, t_tr, x_val=x_val, t_val=t_val, epochs=epochs, mini_batch_size=OVERFIT["batch"],
                      optimizer="Adam", optimizer_param={"lr": OVERFIT["lr"]}, patience=OVERFIT_ROW["patience"],
                      seed=0, progress=False)
    trainer.train()
    train_acc = net.accuracy(x_tr, t_tr)
    out["early_stopping_train_acc"], out["early_stopping_test_acc"] = train_acc, net.accuracy(x_test, t_test)
    out["early_stopping_gap"] = train_acc - out["early_stopping_test_acc"]
    out["early_stopping_test_loss"] = float(np.mean([data_loss(net, x_test[i:i + 1000], t_test[i:i + 1000])
                                                     for i in range(0, 10000, 1000)]))
    out["early_stopping_epoch"] = trainer.best_epoch
    out["seconds"] = time.perf_counter() - t0
    out["setup"] = (f"300 MNIST images, 784-100x6-10 ReLU f32, Adam lr {OVERFIT['lr']}, {epochs} epochs; "
                    f"weight decay {lam}, dropout {ratio}; early stopping: patience {OVERFIT_ROW['patience']} on 75 "
                    f"validation images; test = all 10,000 test images")
    return out


def row_fashion(epochs=FASHION["epochs"], n_train=None, hidden=FASHION["hidden"], threads=1, seed=0, **_) -> dict:
    import numpy as np

    from course_lib.data import load_fashion_mnist
    from course_lib.networks import MultiLayerNet
    from course_lib.training import Trainer

    (x_train, t_train), (x_test, t_test) = load_fashion_mnist()
    x_train, t_train = x_train[:n_train], t_train[:n_train]
    net = MultiLayerNet(784, hidden, 10, activation="relu", weight_init_std="he", seed=seed, dtype=np.float32)

    def decay(trainer):  # a learning-rate schedule is a callback
        if trainer.current_epoch >= FASHION["decay_from"]:
            trainer.optimizer.lr *= FASHION["decay"]

    trainer = Trainer(net, x_train, t_train, epochs=epochs, mini_batch_size=FASHION["batch"], optimizer="Adam",
                      optimizer_param={"lr": FASHION["lr"]}, evaluate_sample_num_per_epoch=FASHION["eval_n"],
                      seed=seed, progress=False, callbacks=[decay])
    t0 = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - t0
    sizes = "-".join(str(h) for h in [784, *hidden, 10])
    return {"train_s": seconds, "test_acc": net.accuracy(x_test, t_test), "threads": threads,
            "model": f"MultiLayerNet {sizes} ReLU He f32, Adam lr {FASHION['lr']} x{FASHION['decay']} per epoch from "
                     f"epoch {FASHION['decay_from']}, batch {FASHION['batch']}, {epochs} epochs, {threads} BLAS threads"}


ROW_FUNCS = {name: globals()[f"row_{name}"] for name in ROWS}
KEY_PREFIX = {"mnist": "mnist", "twolayer_floor": "twolayer", "twolayer_course": "twolayer",
              "twolayer_torch": "twolayer", "keras_setup": "keras_setup", "gradients": "gradients", "best": "best",
              "suite": "suite", "memory": "memory", "overfit": "overfit", "fashion": "fashion", "conv_layer": "conv_layer",
              "convnet_train": "convnet", "grading": "grading", "grading_07": "grading_07", "sandbox_cost": "sandbox_cost"}


# --------------------------------------------------------------------------
# the parent: run rows in child processes, take medians, record the configuration
# --------------------------------------------------------------------------
def _child_env(threads: int) -> dict:
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(threads)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_row_in_child(name: str, threads: int, extra: list[str]) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--row", name, "--threads", str(threads), *extra]
    proc = subprocess.run(cmd, env=_child_env(threads), capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def blas_kernel(env: dict | None = None):
    """The kernels NumPy's OpenBLAS runs (e.g. ``'SkylakeX'``, ``'Haswell'``) in a fresh process with ``env``
    (default: this one's); None if threadpoolctl is missing or NumPy's BLAS is not OpenBLAS."""
    proc = subprocess.run([sys.executable, "-c", _KERNEL_PROBE], env=env, capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 and proc.stdout.strip() else None


def blas_config(threads: int) -> dict:
    import numpy as np

    cfg = {"threads_requested": threads, "env": {v: os.environ.get(v) for v in THREAD_VARS},
           "numpy": np.__version__, "cpu_count": os.cpu_count(), "machine": platform.machine(),
           "processor": platform.processor() or platform.machine(), "python": platform.python_version()}
    try:
        cfg["numpy_blas"] = np.__config__.CONFIG["Build Dependencies"]["blas"].get("openblas configuration") or \
            np.__config__.CONFIG["Build Dependencies"]["blas"]["name"]
    except (AttributeError, KeyError, TypeError):
        pass
    cfg["openblas_kernel_env"] = {v: os.environ.get(v) for v in KERNEL_VARS}
    cfg["blas_kernel"] = blas_kernel()
    if any(os.environ.get(v) for v in KERNEL_VARS):  # what OpenBLAS would pick by itself on this CPU
        cfg["blas_kernel_without_kernel_env"] = blas_kernel({k: v for k, v in os.environ.items() if k not in KERNEL_VARS})
    try:
        from threadpoolctl import threadpool_info

        cfg["threadpools_in_child"] = "set by " + "/".join(THREAD_VARS)
        cfg["threadpools_here"] = [{k: d.get(k) for k in ("internal_api", "num_threads", "version")}
                                   for d in threadpool_info()]
    except ImportError:
        pass
    try:
        import torch

        cfg["torch"] = torch.__version__
    except ImportError:
        cfg["torch"] = "not installed"
    try:
        with open("/proc/cpuinfo") as f:
            cfg["cpu_model"] = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), None)
    except OSError:
        pass
    return cfg


def _fmt(v, unit=""):
    if isinstance(v, float):
        return f"{v:.3f}{unit}" if unit == " s" and v < 1 else (f"{v:.2f}{unit}" if unit else f"{v:.4f}")
    return str(v)


#: Seconds a notebook may take in a fresh kernel (docs/style.md); the ones that train get more.
NOTEBOOK_BUDGET_S = {"default": 10.0, "07_training_mnist": 30.0, "08_overfitting": 30.0, "09_cnn": 30.0}


def notebooks_over_budget(results: dict):
    """How many notebooks of the suite row took longer than their budget (None without the row)."""
    per = results.get("suite.per_notebook_s")
    if not isinstance(per, dict):
        return None
    return sum(s > NOTEBOOK_BUDGET_S.get(name, NOTEBOOK_BUDGET_S["default"]) for name, s in per.items())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3, help="repeats of the fast rows (medians are reported)")
    ap.add_argument("--threads", type=int, default=1, help="BLAS / torch threads per process (default 1)")
    ap.add_argument("--best-threads", type=int, default=min(2, os.cpu_count() or 1),
                    help="BLAS threads of the 'best', 'fashion' and 'convnet_train' rows (default 2: their targets are "
                         "set for 2 cores)")
    ap.add_argument("--rows", default=",".join(ROWS), help=f"comma-separated subset of {','.join(ROWS)}")
    ap.add_argument("--quick", action="store_true", help="tiny sizes: checks that every row runs (no real figures)")
    ap.add_argument("--full-numerical", action="store_true", help="time the numerical gradient of every parameter")
    ap.add_argument("--row", help=argparse.SUPPRESS)  # internal: run one row here and print its JSON
    ap.add_argument("--hold-pages", nargs="+", type=Path, help=argparse.SUPPRESS)  # internal: see hold_pages
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    if args.hold_pages:
        hold_pages(args.hold_pages)
        return 0

    quick_kw = {"twolayer_course": {"iters": 50, "n_train": 2000}, "twolayer_torch": {"iters": 50, "n_train": 2000},
                "twolayer_floor": {"iters": 50}, "keras_setup": {"epochs": 1, "n_train": 1000},
                "best": {"epochs": 1, "n_train": 1000, "hidden": [20, 20]}, "gradients": {"sample": 20},
                "overfit": {"epochs": 2}, "fashion": {"epochs": 1, "n_train": 1000, "hidden": [20, 20]},
                "conv_layer": {"n_images": 10, "n_loop": 1, "repeats": 1},
                "convnet_train": {"epochs": 1, "n_train": 200, "n_test": 500},
                "grading": {"n": 2}, "grading_07": {"n": 1}, "sandbox_cost": {"n": 1},
                "memory": {"notebooks": ["00_start_here"]}}
    if args.row:
        kw = {"threads": args.threads, "full": args.full_numerical}
        if args.quick:
            kw.update(quick_kw.get(args.row, {}))
        print(json.dumps(ROW_FUNCS[args.row](**kw)))
        return 0

    rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = set(rows) - set(ROWS)
    if unknown:
        ap.error(f"unknown rows {sorted(unknown)}; choose from {ROWS}")
    if args.quick and "suite" in rows:
        rows.remove("suite")
    extra = (["--quick"] if args.quick else []) + (["--full-numerical"] if args.full_numerical else [])
    samples: dict[str, list[dict]] = {r: [] for r in rows}
    load_before = os.getloadavg()
    t_start = time.perf_counter()
    for rep in range(args.repeats):
        for r in rows:
            if r in ONCE and rep > 0:
                continue
            print(f"[{time.perf_counter() - t_start:6.1f} s] repeat {rep + 1}/{args.repeats}: {r} ...", flush=True)
            samples[r].append(run_row_in_child(r, args.best_threads if r in TWO_CORE_ROWS else args.threads, extra))

    results: dict = {}
    for r in rows:
        ok = [s for s in samples[r] if "error" not in s]
        if not ok:
            results[f"{KEY_PREFIX[r]}.error_{r}"] = samples[r][0]["error"]
            continue
        for key in ok[0]:
            values = [s[key] for s in ok]
            full_key = f"{KEY_PREFIX[r]}.{key}"
            if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                results[full_key] = statistics.median(values)
                if key.endswith("_s") and len(values) > 1:
                    results[f"{full_key}_all"] = values
            else:
                results[full_key] = values[0]
    for key in ("twolayer.torch_s", "twolayer.torch_test_acc"):
        if "twolayer_torch" in rows:
            results.setdefault(key, "not installed")
    ratio = {}
    c, t, f = (results.get(k) for k in ("twolayer.course_s", "twolayer.torch_s", "twolayer.floor_s"))
    if isinstance(c, float) and isinstance(t, float):
        ratio["twolayer.course_over_torch"] = c / t
    if isinstance(c, float) and isinstance(f, float):
        ratio["twolayer.course_over_floor"] = c / f
    t_is = results.get("twolayer.torch_index_select_s")
    if isinstance(c, float) and isinstance(t_is, float):  # for information; the target is set against torch_s
        ratio["twolayer.course_over_torch_index_select"] = c / t_is
    results.update(ratio)
    results["config"] = blas_config(args.threads)
    results["config"].update(best_threads=args.best_threads, repeats=args.repeats, quick=args.quick, load_average_before=load_before,
                             load_average_after=os.getloadavg(), bench_wall_s=time.perf_counter() - t_start,
                             date_utc=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()))

    targets = [
        ("twolayer: test >= 0.97", results.get("twolayer.course_test_acc"), lambda v: v >= 0.97),
        ("twolayer: <= 0.5 x torch", ratio.get("twolayer.course_over_torch"), lambda v: v <= 0.5),
        ("twolayer: <= 2 x GEMM floor", ratio.get("twolayer.course_over_floor"), lambda v: v <= 2.0),
        ("keras setup: test >= 0.9707", results.get("keras_setup.course_test_acc"), lambda v: v >= 0.9707),
        ("keras setup: <= 5 s", results.get("keras_setup.course_s"), lambda v: v <= 5.0),
        ("best: test >= 0.985", results.get("best.test_acc"), lambda v: v >= 0.985),
        ("best: <= 30 s", results.get("best.train_s"), lambda v: v <= 30.0),
        ("notebooks: each within its budget (<= 10 s; 07, 08, 09 <= 30 s)", notebooks_over_budget(results),
         lambda v: v == 0),
        ("MNIST cache: <= 0.3 s", results.get("mnist.cache_load_s"), lambda v: v <= 0.3),
        ("convnet: test >= 0.985", results.get("convnet.course_test_acc"), lambda v: v >= 0.985),
        ("convnet: <= 120 s", results.get("convnet.course_s"), lambda v: v <= 120.0),
        ("grading: 100 submissions on 2 cores <= 300 s", results.get("grading.s") if results.get("grading.submissions")
         == 100 else None, lambda v: v <= 300.0),
        ("grading: the sandbox adds <= 0.5 s per notebook", results.get("sandbox_cost.added_s"), lambda v: v <= 0.5),
        ("fashion: test >= 0.89", results.get("fashion.test_acc"), lambda v: v >= 0.89),
        ("fashion: <= 60 s", results.get("fashion.train_s"), lambda v: v <= 60.0),
        (f"memory: every notebook <= {MEMORY['per_notebook_mb']} MB USS, alone", results.get("memory.max_peak_mb"),
         lambda v: v <= MEMORY["per_notebook_mb"]),
        (f"memory: every notebook <= {MEMORY['per_notebook_mb']} MB USS, class server",
         results.get("memory.max_server_peak_mb"), lambda v: v <= MEMORY["per_notebook_mb"]),
        (f"memory: all open <= {MEMORY['all_open_mb']} MB USS", results.get("memory.all_open_mb"),
         lambda v: v <= MEMORY["all_open_mb"]),
    ]
    results["targets"] = {name: (None if not isinstance(v, (int, float)) else bool(ok(v)))
                          for name, v, ok in targets}

    if not args.quick or args.out != RESULTS:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    cfg = results["config"]
    blas = " ".join(cfg.get("numpy_blas", "BLAS ?").split()[:2])  # e.g. "OpenBLAS 0.3.31"
    print(f"\n{cfg.get('cpu_model')} ({cfg['cpu_count']} cores), {blas} running its {cfg['blas_kernel'] or '?'} kernels, "
          f"torch {cfg['torch']}; {args.threads} thread(s) per process ('best', 'fashion', 'convnet_train': "
          f"{args.best_threads}); load average "
          f"{cfg['load_average_before'][0]:.1f} -> {cfg['load_average_after'][0]:.1f}; "
          f"medians of {args.repeats} (best, gradients, suite, overfit, fashion, convnet_train, grading: 1)")
    forced = {k: v for k, v in cfg["openblas_kernel_env"].items() if v}
    own = cfg.get("blas_kernel_without_kernel_env")
    if forced and own and own != cfg["blas_kernel"]:
        print(f"note: {' '.join(f'{k}={v}' for k, v in forced.items())} is set, so OpenBLAS runs its "
              f"{cfg['blas_kernel']} kernels; by itself it would pick {own} on this CPU. The figures below are for "
              f"{cfg['blas_kernel']}. To measure OpenBLAS's own choice: env {' '.join(f'-u {k}' for k in KERNEL_VARS)} "
              f"make bench")
    width = max(len(k) for k in results if k not in ("config", "targets"))
    for k, v in results.items():
        if k in ("config", "targets") or k.endswith("_all"):
            continue
        unit = " s" if k.endswith("_s") else ""
        print(f"  {k:<{width}}  {_fmt(v, unit) if not isinstance(v, dict) else json.dumps(v)}")
    print("\ntargets:")
    for name, v, _ in targets:
        verdict = results["targets"][name]
        print(f"  {'PASS' if verdict else ('FAIL' if verdict is False else 'n/a ')}  {name}  ({_fmt(v)})")
    if not args.quick or args.out != RESULTS:
        print(f"\nwritten to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
