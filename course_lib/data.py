"""MNIST and small toy datasets.

``load_mnist`` returns ``(x_train, t_train), (x_test, t_test)`` as in the book.
The four IDX files live in ``<data dir>/mnist/``; the data dir is ``data/`` in
the project (or ``$COURSE_DATA_DIR``, or the ``data_dir`` argument). When the
files are missing they are fetched -- from a local folder if
``$COURSE_MNIST_SOURCE`` (or ``source=``) names one, else downloaded from
public mirrors, one after the other. Every file is checked against the
SHA-256 of its *decompressed* bytes and written atomically (temporary file,
then rename). A parsed copy is cached as ``mnist.npz`` (no pickle) for fast
loads.

Command line::

    python -m course_lib.data fetch [--source DIR] [--data-dir DIR]
    python -m course_lib.data status
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import http.client
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

__all__ = [
    "load_mnist",
    "fetch_mnist",
    "mnist_dir",
    "data_dir",
    "load_sample_weights",
    "gate_dataset",
    "nine_point_dataset",
    "MNISTError",
    "MNIST_FILES",
    "MIRRORS",
]

#: name -> (file name, SHA-256 of the decompressed IDX bytes)
MNIST_FILES = {
    "train_img": ("train-images-idx3-ubyte.gz", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train_label": ("train-labels-idx1-ubyte.gz", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "test_img": ("t10k-images-idx3-ubyte.gz", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "test_label": ("t10k-labels-idx1-ubyte.gz", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}

#: Public mirrors of the IDX files (the ones torchvision and TensorFlow/Keras use), tried in order.
#: ``$COURSE_MNIST_MIRRORS`` (space-separated base URLs) replaces the list.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

_EXPECTED_COUNTS = {"train_img": 60000, "train_label": 60000, "test_img": 10000, "test_label": 10000}
_CACHE_NAME = "mnist.npz"
_CACHE_VERSION = "1"
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


class MNISTError(RuntimeError):
    """MNIST could not be found, fetched or read. The message says what to do."""


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


def mnist_dir(path=None) -> Path:
    """The folder holding the four MNIST files and the cache: ``<data dir>/mnist``."""
    return data_dir(path) / "mnist"


def _mirrors():
    env = os.environ.get("COURSE_MNIST_MIRRORS")
    if env:
        return tuple(u if u.endswith("/") else u + "/" for u in env.split())
    return MIRRORS


# --------------------------------------------------------------------------
# verification and atomic writes
# --------------------------------------------------------------------------
def _decompressed_sha256(path: Path) -> str:
    """SHA-256 of the gunzipped content of ``path``; raises MNISTError if it is not a valid gzip file."""
    h = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise MNISTError(f"{path.name} is not a complete gzip file ({e}): it is truncated or corrupt") from None
    return h.hexdigest()


def _verify(path: Path, expected_sha256: str) -> None:
    got = _decompressed_sha256(path)
    if got != expected_sha256:
        raise MNISTError(f"{path.name}: SHA-256 of the decompressed content is {got}, expected {expected_sha256}: "
                         "the file is corrupt or not MNIST")


def _atomic_install(tmp: Path, dest: Path) -> None:
    os.chmod(tmp, 0o644)  # mkstemp makes files private; the data is not
    os.replace(tmp, dest)  # atomic on the same file system


def _tmp_in(folder: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    os.close(fd)
    return Path(tmp)


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


def _fetch_one(key: str, folder: Path, source, timeout: float, progress: bool) -> None:
    """Put a verified copy of one file into ``folder`` (from ``source`` or the mirrors)."""
    fname, sha = MNIST_FILES[key]
    dest = folder / fname
    if dest.exists():
        try:
            _verify(dest, sha)
            return
        except MNISTError:
            pass  # a bad file from an earlier attempt: fetch it again
    if source is not None:
        src = Path(source) / fname
        if not src.is_file():
            raise MNISTError(f"{fname} is not in the source folder {source}")
        tmp = _tmp_in(folder, fname)
        try:
            shutil.copyfile(src, tmp)
            _verify(tmp, sha)
            _atomic_install(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        return
    errors = []
    for base in _mirrors():
        url = base + fname
        tmp = _tmp_in(folder, fname)
        try:
            _download(url, tmp, timeout, progress)
            _verify(tmp, sha)
            _atomic_install(tmp, dest)
            return
        except (urllib.error.URLError, http.client.HTTPException, OSError, MNISTError, ValueError) as e:
            errors.append(f"  {url}: {getattr(e, 'reason', None) or e}")
        finally:
            tmp.unlink(missing_ok=True)
    raise MNISTError(
        f"could not download {fname} from any mirror:\n" + "\n".join(errors) +
        "\nAre you offline? Copy the four MNIST .gz files into a folder and run\n"
        "    python -m course_lib.data fetch --source FOLDER\n"
        f"or put them into {folder} yourself."
    )


def fetch_mnist(data_dir_=None, source=None, timeout: float = 30.0, progress: bool = True) -> Path:
    """Make sure the four verified MNIST files are in ``mnist_dir(data_dir_)``; returns that folder.

    source: a local folder with the four ``.gz`` files (default
    ``$COURSE_MNIST_SOURCE``); without one, the mirrors are tried in order.
    """
    folder = mnist_dir(data_dir_)
    folder.mkdir(parents=True, exist_ok=True)
    if source is None:
        source = os.environ.get("COURSE_MNIST_SOURCE") or None
    for key in MNIST_FILES:
        _fetch_one(key, folder, source, timeout, progress)
    return folder


# --------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------
def _read_idx(path: Path, key: str) -> np.ndarray:
    """Parse a gzipped IDX file into a uint8 array ``(N, 28, 28)`` or ``(N,)``, checking its SHA-256."""
    fix = "Delete it and run `make data` (or `python -m course_lib.data fetch`) to fetch it again."
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise MNISTError(f"{path} cannot be read ({e}): it is truncated or corrupt. {fix}") from None
    sha = hashlib.sha256(raw).hexdigest()
    if sha != MNIST_FILES[key][1]:
        raise MNISTError(f"{path}: SHA-256 of the decompressed content is {sha}, expected "
                         f"{MNIST_FILES[key][1]}: the file is corrupt. {fix}")
    if len(raw) < 8:
        raise MNISTError(f"{path} is too short to be an IDX file. {fix}")
    magic = int.from_bytes(raw[0:4], "big")
    n = int.from_bytes(raw[4:8], "big")
    is_img = key.endswith("img")
    expected_magic = 2051 if is_img else 2049
    if magic != expected_magic:
        raise MNISTError(f"{path}: IDX magic number {magic}, expected {expected_magic}. {fix}")
    if n != _EXPECTED_COUNTS[key]:
        raise MNISTError(f"{path}: holds {n} records, expected {_EXPECTED_COUNTS[key]}. {fix}")
    if is_img:
        rows, cols = int.from_bytes(raw[8:12], "big"), int.from_bytes(raw[12:16], "big")
        body = np.frombuffer(raw, dtype=np.uint8, offset=16)
        if body.size != n * rows * cols:
            raise MNISTError(f"{path}: {body.size} pixel bytes, expected {n * rows * cols}. {fix}")
        return body.reshape(n, rows, cols)
    body = np.frombuffer(raw, dtype=np.uint8, offset=8)
    if body.size != n:
        raise MNISTError(f"{path}: {body.size} labels, expected {n}. {fix}")
    return body.copy()


def _cache_tag() -> np.ndarray:
    return np.array(_CACHE_VERSION + ":" + ",".join(sha for _, sha in MNIST_FILES.values()))


def _load_cache(cache: Path):
    try:
        with np.load(cache, allow_pickle=False) as z:
            if str(z["tag"]) != str(_cache_tag()):
                return None
            arrays = {k: z[k] for k in MNIST_FILES}
    except Exception:  # a stale, truncated or foreign cache is rebuilt from the verified IDX files
        return None
    if arrays["train_img"].shape != (60000, 28, 28) or arrays["test_img"].shape != (10000, 28, 28):
        return None
    return arrays


def _build_cache(folder: Path, cache: Path):
    arrays = {key: _read_idx(folder / fname, key) for key, (fname, _) in MNIST_FILES.items()}
    try:
        tmp = _tmp_in(folder, _CACHE_NAME)
    except OSError:
        return arrays  # a read-only data folder: work without the cache
    try:
        with open(tmp, "wb") as f:
            np.savez(f, tag=_cache_tag(), **arrays)
        _atomic_install(tmp, cache)
    except OSError:
        pass  # a read-only data folder: work without the cache
    finally:
        tmp.unlink(missing_ok=True)
    return arrays


def load_mnist(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False,
               data_dir=None, download: bool = True, dtype=np.float32):
    """Load MNIST as in the book: ``(x_train, t_train), (x_test, t_test)``.

    normalize: pixels as floats in [0, 1] (``dtype``, float32 by default);
        otherwise uint8 in 0..255.
    flatten: images as rows of 784; otherwise ``(N, 1, 28, 28)``.
    one_hot_label: labels as ``(N, 10)`` one-hot float rows; otherwise uint8 indices ``(N,)``.
    Shapes: x_train ``(60000, 784)``, t_train ``(60000,)``, x_test ``(10000, 784)``, t_test ``(10000,)``.
    download: fetch missing files (see ``fetch_mnist``); if False, raise MNISTError instead.
    """
    folder = mnist_dir(data_dir)
    cache = folder / _CACHE_NAME
    arrays = _load_cache(cache) if cache.is_file() else None
    if arrays is None:
        missing = [f for f, _ in MNIST_FILES.values() if not (folder / f).is_file()]
        if missing:
            if not download:
                raise MNISTError(f"MNIST is not in {folder} (missing: {', '.join(missing)}). "
                                 "Run `make data` or `python -m course_lib.data fetch [--source FOLDER]`.")
            fetch_mnist(data_dir, progress=True)
        arrays = _build_cache(folder, cache)

    def images(a):
        if normalize:
            a = np.multiply(a, np.asarray(1.0 / 255.0, dtype=dtype), dtype=dtype)
        return a.reshape(len(a), 784) if flatten else a.reshape(len(a), 1, 28, 28)

    def labels(t):
        return np.eye(10, dtype=np.float32)[t] if one_hot_label else t

    return ((images(arrays["train_img"]), labels(arrays["train_label"])),
            (images(arrays["test_img"]), labels(arrays["test_label"])))


# --------------------------------------------------------------------------
# shipped weights and toy datasets
# --------------------------------------------------------------------------
def load_sample_weights(path=None) -> dict:
    """The pretrained 784-50-100-10 sigmoid network of the inference chapter.

    Returns ``{'W1': (784, 50), 'b1': (50,), 'W2': (50, 100), 'b2': (100,), 'W3': (100, 10), 'b3': (10,)}``
    (float32), loaded from ``data/sample_weights.npz`` without pickle.
    Made by ``scripts/train_sample_weights.py``.
    """
    path = Path(path) if path is not None else _PROJECT_ROOT / "data" / "sample_weights.npz"
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
    parser = argparse.ArgumentParser(prog="python -m course_lib.data", description="Fetch and check MNIST.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="download MNIST (or import it from a local folder) and build the cache")
    f.add_argument("--source", help="a local folder with the four .gz files (default: $COURSE_MNIST_SOURCE or the mirrors)")
    f.add_argument("--data-dir", help="where to put it (default: $COURSE_DATA_DIR or the project's data/)")
    s = sub.add_parser("status", help="say whether MNIST is present")
    s.add_argument("--data-dir")
    args = parser.parse_args(argv)
    try:
        if args.cmd == "fetch":
            folder = fetch_mnist(args.data_dir, source=args.source)
            (x_train, _), (x_test, _) = load_mnist(data_dir=args.data_dir, download=False)
            print(f"MNIST ready in {folder}: {len(x_train)} training and {len(x_test)} test images (verified)")
        else:
            folder = mnist_dir(args.data_dir)
            missing = [n for n, _ in MNIST_FILES.values() if not (folder / n).is_file()]
            if missing:
                print(f"MNIST missing in {folder}: {', '.join(missing)}. Run `make data`.")
                return 1
            print(f"MNIST present in {folder}")
    except MNISTError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
