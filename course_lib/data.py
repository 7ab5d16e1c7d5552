"""MNIST, Fashion-MNIST and small toy datasets.

``load_mnist()`` returns ``(x_train, t_train), (x_test, t_test)`` as in the book (its keyword arguments
are the book's: ``normalize``, ``flatten``, ``one_hot_label``); ``load_fashion_mnist()`` (or
``load_mnist(dataset="fashion")``) does the same for Zalando's Fashion-MNIST, which has MNIST's format
and sizes and ten kinds of clothing instead of digits (``class_names("fashion")``).

Where the files live: ``<data dir>/mnist/`` and ``<data dir>/fashion-mnist/``; the data dir is ``data/``
in the project (or ``$COURSE_DATA_DIR``, or the ``data_dir`` argument).

**Fetching, verified once.** ``fetch()`` puts the four gzipped IDX files of a dataset into its folder --
copied from a local folder (``source=``, ``$COURSE_MNIST_SOURCE`` / ``$COURSE_FASHION_MNIST_SOURCE``, or an
offline copy the operating system installed, such as Debian's ``dataset-fashion-mnist`` package in
``/usr/share/datasets/fashion-mnist``), else downloaded from public mirrors one after the other. Each file
is decompressed once; the SHA-256 of the *decompressed* bytes is checked (gzip bytes differ between
mirrors and repackagings, the content does not), and the same bytes are parsed into arrays: there is
no second pass and no second hash. Every file is written atomically (temporary file, then rename), so
an interrupted download never leaves a broken file.

**The cache, shared by every kernel.** The parsed arrays are saved as plain ``.npy`` files (normalized
float32 images, the raw uint8 images, the labels) plus ``cache.json`` naming the SHA-256 they were built
from. ``load_mnist`` maps them with ``np.load(..., mmap_mode="c", allow_pickle=False)``: nothing is read
until it is used, the operating system keeps one copy of the file in its page cache for all the
kernels on a machine, and the mapping is *copy-on-write* -- an in-place edit (``x_train *= 2``) changes
the editing kernel's private copy of the touched pages only, never the file or another kernel's view.
A slice such as ``x_train[:3000]`` is a view: only the pages it touches are ever read. The cache is
rebuilt when a file of it is missing or when the expected hashes change; pickles are never loaded.
Cache files are only ever *replaced* (a new file renamed over the old one), never rewritten in place:
a kernel that maps the old file keeps reading it, whereas a mapped file that shrank under it would
crash that kernel (SIGBUS).

Command line::

    python -m course_lib.data fetch [mnist] [fashion] [--source DIR] [--data-dir DIR]
    python -m course_lib.data status [mnist] [fashion] [--data-dir DIR]
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import http.client
import json
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "load_mnist",
    "load_fashion_mnist",
    "class_names",
    "fetch",
    "missing_files",
    "dataset_dir",
    "mnist_dir",
    "data_dir",
    "load_sample_weights",
    "gate_dataset",
    "nine_point_dataset",
    "MNISTError",
    "Dataset",
    "DATASETS",
    "MNIST_FILES",
]

_PROJECT_ROOT = Path(__file__).resolve().parent.parent
_CACHE_FORMAT = 2  # .npy files + cache.json (format 1 was one mnist.npz)
_CACHE_TAG = "cache.json"


@dataclass(frozen=True)
class Dataset:
    """What the loader needs to know about one MNIST-format dataset.

    title: its name in messages. folder: its sub-folder of the data dir. files: ``{key: (file name,
    SHA-256 of the decompressed file)}`` for the keys ``train_img``, ``train_label``, ``test_img``,
    ``test_label``. mirrors: base URLs tried in order. env: prefix of its environment variables
    (``<env>_SOURCE``: a local folder with the files; ``<env>_MIRRORS``: space-separated base URLs that
    replace ``mirrors``). system_dirs: folders where the operating system's package ``os_package`` installs
    the files (used as an offline source).
    """

    title: str
    folder: str
    files: dict
    mirrors: tuple
    env: str
    system_dirs: tuple = ()
    os_package: str = ""


DATASETS = {
    "mnist": Dataset(
        title="MNIST",
        folder="mnist",
        files={
            "train_img": ("train-images-idx3-ubyte.gz", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            "train_label": ("train-labels-idx1-ubyte.gz", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            "test_img": ("t10k-images-idx3-ubyte.gz", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            "test_label": ("t10k-labels-idx1-ubyte.gz", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        },
        # the mirrors torchvision and TensorFlow/Keras use
        mirrors=("https://ossci-datasets.s3.amazonaws.com/mnist/",
                 "https://storage.googleapis.com/cvdf-datasets/mnist/",
                 "http://yann.lecun.com/exdb/mnist/"),
        env="COURSE_MNIST",
    ),
    "fashion": Dataset(
        title="Fashion-MNIST",
        folder="fashion-mnist",
        files={
            "train_img": ("train-images-idx3-ubyte.gz", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            "train_label": ("train-labels-idx1-ubyte.gz", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            "test_img": ("t10k-images-idx3-ubyte.gz", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            "test_label": ("t10k-labels-idx1-ubyte.gz", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        },
        # Keras's copy, Zalando's repository, Zalando's bucket (the one torchvision uses; plain http only)
        mirrors=("https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
                 "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
                 "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
        env="COURSE_FASHION_MNIST",
        system_dirs=("/usr/share/datasets/fashion-mnist",),
        os_package="dataset-fashion-mnist",  # Debian and Ubuntu
    ),
}
#: MNIST's files: ``{key: (file name, SHA-256 of the decompressed content)}``.
MNIST_FILES = DATASETS["mnist"].files

#: The cache: one ``.npy`` file per array (images as rows of 784).
_CACHE_FILES = {
    "x_train": ("train_img", np.float32), "x_test": ("test_img", np.float32),
    "x_train_uint8": ("train_img", np.uint8), "x_test_uint8": ("test_img", np.uint8),
    "t_train": ("train_label", np.uint8), "t_test": ("test_label", np.uint8),
}


class MNISTError(RuntimeError):
    """MNIST or Fashion-MNIST could not be found, fetched or read. The message says what to do."""


# --------------------------------------------------------------------------
# where things live
# --------------------------------------------------------------------------
def data_dir(path=None) -> Path:
    """The data folder: ``path`` if given, else ``$COURSE_DATA_DIR``, else ``data/`` of the project
    (or ``~/.cache/nn-from-scratch`` when the package is installed outside a checkout)."""
    if path is not None:
        return Path(path).expanduser()
    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        return Path(env).expanduser()
    if (_PROJECT_ROOT / "pyproject.toml").is_file():
        return _PROJECT_ROOT / "data"
    return Path.home() / ".cache" / "nn-from-scratch"


def _dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(DATASETS)}") from None


def dataset_dir(dataset: str = "mnist", data_dir_=None) -> Path:
    """The folder of a dataset's files and cache: ``<data dir>/mnist`` or ``<data dir>/fashion-mnist``."""
    return data_dir(data_dir_) / _dataset(dataset).folder


def mnist_dir(path=None) -> Path:
    """The folder holding the four MNIST files and the cache: ``<data dir>/mnist``."""
    return dataset_dir("mnist", path)


def _cache_tag(ds: Dataset) -> dict:
    return {"format": _CACHE_FORMAT, "sha256": {key: sha for key, (_, sha) in ds.files.items()}}


def _cache_is_current(folder: Path, ds: Dataset) -> bool:
    """The tag names the expected hashes and every cache file is there (their contents are checked on load)."""
    try:
        tag = json.loads((folder / _CACHE_TAG).read_text())
    except (OSError, ValueError):
        return False
    return tag == _cache_tag(ds) and all((folder / f"{name}.npy").is_file() for name in _CACHE_FILES)


def missing_files(dataset: str = "mnist", data_dir_=None) -> list:
    """The names of the dataset's files that are not in its folder (``[]`` when all four are there, or when
    the cache built from them is complete and current: then nothing is missing)."""
    ds = _dataset(dataset)
    folder = dataset_dir(dataset, data_dir_)
    if _cache_is_current(folder, ds):
        return []
    return _absent(ds, folder)


def _absent(ds: Dataset, folder: Path) -> list:
    """The names of the dataset's four files that are not in ``folder``."""
    return [fname for fname, _ in ds.files.values() if not (folder / fname).is_file()]


#: The files the course ships in its ``data/`` folder (weights trained by ``scripts/``, the class names).
SHIPPED = ("sample_weights.npz", "simple_convnet.npz", "class_names.json")


def shipped_file(name: str) -> Path:
    """The path of a file the course ships (one of ``SHIPPED``): in ``data_dir()`` (``$COURSE_DATA_DIR``, where
    ``make hub`` installs them for an installed course_lib) or else in the checkout's ``data/`` folder."""
    for folder in (data_dir(), _PROJECT_ROOT / "data"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{name} is neither in {data_dir()} nor in the course's data/ folder: it ships with the "
                            f"course (data/{name} in its repository); with an installed course_lib, copy it into "
                            "$COURSE_DATA_DIR")


def class_names(dataset: str = "mnist") -> list:
    """The names of the ten classes, index = label: ``['0', ..., '9']`` for MNIST,
    ``['T-shirt/top', 'Trouser', ...]`` for Fashion-MNIST (read from ``data/class_names.json``)."""
    _dataset(dataset)
    names = json.loads(shipped_file("class_names.json").read_text(encoding="utf-8"))
    return list(names[dataset])


# --------------------------------------------------------------------------
# fetching: every file decompressed once, verified, parsed from the same bytes
# --------------------------------------------------------------------------
def _gunzip(path: Path) -> bytes:
    """The decompressed content of ``path``; raises MNISTError if it is not a complete gzip file."""
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError; a bad block is a zlib.error
        raise MNISTError(f"{path.name} is not a complete gzip file ({e}): it is truncated or corrupt") from None


def _verified(path: Path, expected_sha256: str, title: str) -> bytes:
    """The decompressed content of ``path`` if its SHA-256 is the expected one; else MNISTError."""
    raw = _gunzip(path)
    got = hashlib.sha256(raw).hexdigest()
    if got != expected_sha256:
        raise MNISTError(f"{path.name}: SHA-256 of the decompressed content is {got}, expected {expected_sha256}: "
                         f"the file is corrupt or not {title}")
    return raw


def _tmp_in(folder: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    os.close(fd)
    return Path(tmp)


def _atomic_install(tmp: Path, dest: Path) -> None:
    os.chmod(tmp, 0o644)  # mkstemp makes files private; the data is not
    os.replace(tmp, dest)  # atomic on the same file system


def _download(url: str, dest_tmp: Path, timeout: float, progress: bool) -> None:
    from tqdm.auto import tqdm

    req = urllib.request.Request(url, headers={"User-Agent": "nn-from-scratch course loader"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        total = r.headers.get("Content-Length")
        total = int(total) if total and total.isdigit() else None
        with open(dest_tmp, "wb") as f, tqdm(total=total, unit="B", unit_scale=True, desc=Path(url).name,
                                             disable=not progress, leave=False) as bar:
            for chunk in iter(lambda: r.read(1 << 16), b""):
                f.write(chunk)
                bar.update(len(chunk))
        if total is not None and dest_tmp.stat().st_size != total:
            raise MNISTError(f"{url}: got {dest_tmp.stat().st_size} of {total} bytes (connection cut)")


def _mirrors(ds: Dataset) -> tuple:
    env = os.environ.get(f"{ds.env}_MIRRORS")
    if env:
        return tuple(u if u.endswith("/") else u + "/" for u in env.split())
    return ds.mirrors


def _local_source(ds: Dataset, source):
    """The local folder to copy from: ``source``, else ``$<env>_SOURCE``, else an OS-installed copy, else None."""
    if source is not None:
        return Path(source)
    env = os.environ.get(f"{ds.env}_SOURCE")
    if env:
        return Path(env)
    for folder in ds.system_dirs:
        if all((Path(folder) / fname).is_file() for fname, _ in ds.files.values()):
            return Path(folder)
    return None


def _how_to_fetch(ds: Dataset, dataset: str) -> str:
    arg = "" if dataset == "mnist" else f" {dataset}"
    text = (f"Run `make data` or `python -m course_lib.data fetch{arg}` (offline: copy the four .gz files into "
            f"a folder and run `python -m course_lib.data fetch{arg} --source FOLDER`)")
    if ds.os_package:
        text += f"; on Debian or Ubuntu, `apt-get install {ds.os_package}` installs an offline copy"
    return text + "."


def _fetch_file(ds: Dataset, dataset: str, key: str, folder: Path, source, download: bool,
                timeout: float, progress: bool) -> bytes:
    """The verified decompressed content of one file, installed in ``folder`` (fetched if need be)."""
    fname, sha = ds.files[key]
    dest = folder / fname
    if dest.exists():
        try:
            return _verified(dest, sha, ds.title)
        except MNISTError as e:
            if not download:
                raise MNISTError(f"{dest}: {e}. Delete it, then {_how_to_fetch(ds, dataset)}") from None
            # a bad file from an earlier attempt or a manual copy: fetch it again (replaced atomically)
    local = _local_source(ds, source)
    if local is not None:
        src = local / fname
        if not src.is_file():
            raise MNISTError(f"{fname} is not in the source folder {local}")
        tmp = _tmp_in(folder, fname)
        try:
            shutil.copyfile(src, tmp)
            raw = _verified(tmp, sha, ds.title)
            _atomic_install(tmp, dest)
        except MNISTError as e:
            raise MNISTError(f"{src}: {e}") from None
        finally:
            tmp.unlink(missing_ok=True)
        return raw
    errors = []
    for base in _mirrors(ds):
        url = base + fname
        tmp = _tmp_in(folder, fname)
        try:
            _download(url, tmp, timeout, progress)
            raw = _verified(tmp, sha, ds.title)
            _atomic_install(tmp, dest)
            return raw
        except (urllib.error.URLError, http.client.HTTPException, OSError, MNISTError, ValueError) as e:
            errors.append(f"  {url}: {getattr(e, 'reason', None) or e}")
        finally:
            tmp.unlink(missing_ok=True)
    raise MNISTError(f"could not download {fname} of {ds.title} from any mirror:\n" + "\n".join(errors) +
                     f"\nAre you offline? {_how_to_fetch(ds, dataset)}")


def _parse_idx(raw: bytes, is_images: bool) -> np.ndarray:
    """A verified IDX file's content -> uint8 images ``(N, 784)`` or labels ``(N,)`` (a view of ``raw``)."""
    n = int.from_bytes(raw[4:8], "big")
    if is_images:
        return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, -1)
    return np.frombuffer(raw, dtype=np.uint8, offset=8)


def _save_npy(folder: Path, name: str, array: np.ndarray) -> None:
    tmp = _tmp_in(folder, f"{name}.npy")
    try:
        with open(tmp, "wb") as f:
            np.save(f, array, allow_pickle=False)
        _atomic_install(tmp, folder / f"{name}.npy")
    finally:
        tmp.unlink(missing_ok=True)


def _build_cache(ds: Dataset, dataset: str, folder: Path, source, download: bool, timeout: float,
                 progress: bool):
    """Fetch/verify the four files, parse them and write the cache. Returns the arrays when the folder
    cannot be written (then they live in memory only), else None."""
    if not download:
        missing = _absent(ds, folder)
        if missing:
            raise MNISTError(f"{ds.title} is not in {folder} (missing: {', '.join(missing)}). "
                             f"{_how_to_fetch(ds, dataset)}")
    parsed = {}
    for key in ds.files:
        raw = _fetch_file(ds, dataset, key, folder, source, download, timeout, progress)
        parsed[key] = _parse_idx(raw, is_images=key.endswith("img"))
    arrays = {}
    for name, (key, dtype) in _CACHE_FILES.items():
        a = parsed[key]
        if dtype == np.float32:  # normalized images: pixel / 255 as float32
            a = np.multiply(a, np.asarray(1.0 / 255.0, dtype=np.float32), dtype=np.float32)
        arrays[name] = a
    try:
        (folder / _CACHE_TAG).unlink(missing_ok=True)  # the tag goes last: a half-written cache is never current
        for name, a in arrays.items():
            _save_npy(folder, name, a)
        tmp = _tmp_in(folder, _CACHE_TAG)
        tmp.write_text(json.dumps(_cache_tag(ds)))
        _atomic_install(tmp, folder / _CACHE_TAG)
    except OSError:
        return arrays  # a read-only data folder: work from memory
    (folder / "mnist.npz").unlink(missing_ok=True)  # the cache of format 1, replaced by the .npy files
    return None


def fetch(dataset: str = "mnist", data_dir=None, source=None, timeout: float = 30.0, progress: bool = True) -> Path:
    """Make sure the dataset's four verified files and its cache are in ``dataset_dir(dataset, data_dir)``;
    returns that folder. Does nothing when the cache is current.

    source: a local folder with the four ``.gz`` files (default ``$COURSE_MNIST_SOURCE`` or
    ``$COURSE_FASHION_MNIST_SOURCE``, then an operating-system copy); without one, the mirrors are tried in order.
    """
    ds = _dataset(dataset)
    folder = dataset_dir(dataset, data_dir)
    if not _cache_is_current(folder, ds):
        folder.mkdir(parents=True, exist_ok=True)
        _build_cache(ds, dataset, folder, source, True, timeout, progress)
    return folder


# --------------------------------------------------------------------------
# loading: memory-mapped, copy-on-write
# --------------------------------------------------------------------------
def _open_cache(folder: Path, ds: Dataset, names) -> dict | None:
    """The cache arrays ``names`` mapped copy-on-write (plain ndarray views), or None if the cache is not usable."""
    if not _cache_is_current(folder, ds):
        return None
    arrays = {}
    try:
        for name in names:
            a = np.load(folder / f"{name}.npy", mmap_mode="c", allow_pickle=False)
            arrays[name] = np.asarray(a)  # an ndarray view of the mapping: no copy, the mapping stays alive
    except (OSError, ValueError):  # truncated or foreign .npy files: rebuilt from the verified files
        return None
    if any(a.dtype != _CACHE_FILES[name][1] for name, a in arrays.items()):
        return None  # written by something else: rebuilt
    return arrays


def load_mnist(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False, *,
               dataset: str = "mnist", data_dir=None, download: bool = True, dtype=np.float32):
    """Load MNIST (or ``dataset="fashion"``: Fashion-MNIST) as in the book: ``(x_train, t_train), (x_test, t_test)``.

    normalize: pixels as floats in [0, 1] (``dtype``, float32 by default); otherwise uint8 in 0..255.
    flatten: images as rows of 784; otherwise ``(N, 1, 28, 28)``.
    one_hot_label: labels as ``(N, 10)`` one-hot float32 rows; otherwise uint8 indices ``(N,)``.
    Shapes: x_train ``(60000, 784)``, t_train ``(60000,)``, x_test ``(10000, 784)``, t_test ``(10000,)``.
    download: fetch missing files (see ``fetch``); if False, raise MNISTError instead.

    The images and the index labels are views of the memory-mapped cache (see the module docstring):
    loading takes milliseconds, costs memory only for the pages you use, and an in-place change stays
    in your kernel. ``dtype=np.float64`` makes a float64 copy (four times the memory of the uint8 data:
    376 MB for the training images).
    """
    ds = _dataset(dataset)
    folder = dataset_dir(dataset, data_dir)
    names = ("x_train", "x_test") if normalize else ("x_train_uint8", "x_test_uint8")
    names = (*names, "t_train", "t_test")
    arrays = _open_cache(folder, ds, names)
    if arrays is None:
        folder.mkdir(parents=True, exist_ok=True)
        built = _build_cache(ds, dataset, folder, None, download, 30.0, True)
        arrays = ({k: built[k] for k in names} if built is not None
                  else _open_cache(folder, ds, names))  # drop the parsed copies: map the new cache instead
        if arrays is None:
            raise MNISTError(f"the {ds.title} cache in {folder} could not be read back. {_how_to_fetch(ds, dataset)}")

    def images(a):
        if normalize and a.dtype != np.dtype(dtype):
            a = a.astype(dtype)
        return a if flatten else a.reshape(len(a), 1, 28, 28)

    def labels(t):
        return np.eye(10, dtype=np.float32)[t] if one_hot_label else t

    x_train, x_test = arrays[names[0]], arrays[names[1]]
    return (images(x_train), labels(arrays["t_train"])), (images(x_test), labels(arrays["t_test"]))


def load_fashion_mnist(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False, **kwargs):
    """Fashion-MNIST, in the same form as ``load_mnist``: 60,000 training and 10,000 test images of 28 x 28
    pixels, labels 0..9 (``class_names("fashion")``: T-shirt/top, Trouser, Pullover, ...)."""
    return load_mnist(normalize, flatten, one_hot_label, dataset="fashion", **kwargs)


# --------------------------------------------------------------------------
# shipped weights and toy datasets
# --------------------------------------------------------------------------
def load_sample_weights(path=None) -> dict:
    """The pretrained 784-50-100-10 sigmoid network of the inference chapter.

    Returns ``{'W1': (784, 50), 'b1': (50,), 'W2': (50, 100), 'b2': (100,), 'W3': (100, 10), 'b3': (10,)}``
    (float32), loaded from ``data/sample_weights.npz`` without pickle.
    Made by ``scripts/train_sample_weights.py``.
    """
    path = Path(path) if path is not None else shipped_file("sample_weights.npz")
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def gate_dataset(gate: str = "AND"):
    """Truth table of a gate as a dataset: ``x`` int ``(4, 2)``, ``t`` int ``(4,)``."""
    from .perceptron import INPUTS, _TARGETS

    key = gate.upper()
    if key not in _TARGETS:
        raise ValueError(f"unknown gate {gate!r}; choose one of {sorted(_TARGETS)}")
    return INPUTS.copy(), np.array(_TARGETS[key], dtype=np.int64)


def nine_point_dataset():
    """The 9-point table ``(x1, x2, class)`` from the course notes: two classes that a line separates.

    Returns ``x`` float ``(9, 2)`` and ``t`` int ``(9,)``: class 1 where ``x1 + x2 > 1``.
    """
    x = np.array([[x1, x2] for x1 in (0.0, 0.5, 1.0) for x2 in (0.0, 0.5, 1.0)])
    t = (x[:, 0] + x[:, 1] > 1.0).astype(np.int64)
    return x, t


# --------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.data",
                                     description="Fetch and check MNIST and Fashion-MNIST.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="download a dataset (or import it from a local folder) and build its cache")
    f.add_argument("datasets", nargs="*", metavar="DATASET", help=f"one or more of {', '.join(DATASETS)} "
                                                                   "(default: mnist)")
    f.add_argument("--source", help="a local folder with the four .gz files (default: $COURSE_MNIST_SOURCE / "
                                    "$COURSE_FASHION_MNIST_SOURCE, an OS-installed copy, or the mirrors)")
    f.add_argument("--data-dir", help="where to put it (default: $COURSE_DATA_DIR or the project's data/)")
    s = sub.add_parser("status", help="say whether a dataset is present")
    s.add_argument("datasets", nargs="*", metavar="DATASET")
    s.add_argument("--data-dir")
    args = parser.parse_args(argv)
    names = args.datasets or ["mnist"]
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        parser.error(f"unknown dataset {', '.join(unknown)}; choose from {', '.join(DATASETS)}")
    if args.cmd == "fetch" and args.source and len(names) > 1:
        parser.error("--source names one folder: fetch one dataset at a time with it")
    status = 0
    for name in names:
        ds = DATASETS[name]
        try:
            if args.cmd == "fetch":
                folder = fetch(name, args.data_dir, source=args.source)
                (x_train, _), (x_test, _) = load_mnist(dataset=name, data_dir=args.data_dir, download=False)
                print(f"{ds.title} ready in {folder}: {len(x_train)} training and {len(x_test)} test images (verified)")
            else:
                missing = missing_files(name, args.data_dir)
                if missing:
                    print(f"{ds.title} missing in {dataset_dir(name, args.data_dir)}: {', '.join(missing)}. "
                          f"{_how_to_fetch(ds, name)}")
                    status = 1
                else:
                    print(f"{ds.title} present in {dataset_dir(name, args.data_dir)}")
        except MNISTError as e:
            print(f"error: {e}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
