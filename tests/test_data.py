"""The MNIST and Fashion-MNIST loader: the real download code against a local HTTP server on 127.0.0.1.

The server serves each dataset's four verified .gz files (MNIST from $COURSE_MNIST_SOURCE, the project's
data/mnist or ../shared/data/mnist; Fashion-MNIST from $COURSE_FASHION_MNIST_SOURCE, Debian's
/usr/share/datasets/fashion-mnist or the project's data/fashion-mnist) under prefixes that misbehave on
purpose: truncated, corrupt, 404, a connection cut short. No test touches the internet.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from course_lib import data as D

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = {
    "mnist": (os.environ.get("COURSE_MNIST_SOURCE"), ROOT / "data" / "mnist", ROOT.parent / "shared" / "data" / "mnist"),
    "fashion": (os.environ.get("COURSE_FASHION_MNIST_SOURCE"), "/usr/share/datasets/fashion-mnist",
                ROOT / "data" / "fashion-mnist"),
}
FIRST_TRAIN_LABELS = {"mnist": [5, 0, 4, 1, 9], "fashion": [9, 0, 0, 3, 0]}


def _find_source(name):
    for cand in CANDIDATES[name]:
        if cand and all((Path(cand) / f).is_file() for f, _ in D.DATASETS[name].files.values()):
            return Path(cand)
    return None


SOURCES = {name: _find_source(name) for name in D.DATASETS}
DATASETS = [pytest.param(name, marks=pytest.mark.skipif(
    SOURCES[name] is None and not os.environ.get("CI"),
    reason=f"no local copy of the {D.DATASETS[name].title} .gz files (run `make data`)")) for name in D.DATASETS]
needs_mnist = pytest.mark.skipif(SOURCES["mnist"] is None and not os.environ.get("CI"),
                                 reason="no local copy of the MNIST .gz files (run `make data`)")


class _Handler(BaseHTTPRequestHandler):
    files: dict = {}  # (dataset, file name) -> bytes
    hits: list = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        _, dataset, mode, name = self.path.split("/", 3)
        self.hits.append((dataset, mode, name))
        body = self.files.get((dataset, name))
        if body is None or mode == "missing":
            self.send_error(404)
            return
        if mode == "trunc":
            body = body[: len(body) // 2]
        elif mode == "corrupt":
            b = bytearray(body)
            mid = len(b) // 2
            b[mid:mid + 64] = bytes(64)
            body = bytes(b)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.files[(dataset, name)]) if mode == "cut" else len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 3] if mode == "cut" else body)


@pytest.fixture(scope="module")
def server():
    _Handler.files = {(name, f): (SOURCES[name] / f).read_bytes()
                      for name in D.DATASETS if SOURCES[name] is not None for f, _ in D.DATASETS[name].files.values()}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def mirrors(monkeypatch):
    """``mirrors(dataset, *urls)``: the loader sees only these mirrors (no local source, no OS-installed copy)."""
    def use(name, *urls):
        ds = D.DATASETS[name]
        monkeypatch.setenv(f"{ds.env}_MIRRORS", " ".join(urls))
        monkeypatch.delenv(f"{ds.env}_SOURCE", raising=False)
        monkeypatch.setitem(D.DATASETS, name, dataclasses.replace(ds, system_dirs=()))
    _Handler.hits = []
    return use


@pytest.fixture
def count_gunzip(monkeypatch):
    """Counts the decompressions (each is followed by one SHA-256 and one parse of the same bytes)."""
    calls = []
    real = D._gunzip

    def counting(path):
        calls.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(D, "_gunzip", counting)
    return calls


def _copy_of(name, folder: Path) -> Path:
    """A new folder holding a copy of the dataset's four verified .gz files."""
    folder.mkdir(parents=True)
    for f, _ in D.DATASETS[name].files.values():
        (folder / f).write_bytes((SOURCES[name] / f).read_bytes())
    return folder


def _leftovers(folder: Path):
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- fetching
@pytest.mark.parametrize("name", DATASETS)
def test_fetch_from_a_mirror_verifies_once_and_loads_in_all_forms(tmp_path, server, mirrors, count_gunzip, name):
    mirrors(name, f"{server}/{name}/good/")
    (x_train, t_train), (x_test, t_test) = D.load_mnist(dataset=name, data_dir=tmp_path)
    # verify once: each file decompressed once (then hashed and parsed from the same bytes)
    assert len(count_gunzip) == 4
    assert x_train.shape == (60000, 784) and x_train.dtype == np.float32
    assert t_train.shape == (60000,) and x_test.shape == (10000, 784) and t_test.shape == (10000,)
    assert 0.0 <= x_train.min() and x_train.max() == 1.0
    assert t_train[:5].tolist() == FIRST_TRAIN_LABELS[name]
    folder = tmp_path / D.DATASETS[name].folder
    assert (folder / "cache.json").is_file() and not _leftovers(folder)
    for f in folder.glob("*.npy"):  # plain arrays: loadable without pickle
        assert np.load(f, allow_pickle=False, mmap_mode="r").dtype in (np.float32, np.uint8)

    (x, t), _ = D.load_mnist(dataset=name, data_dir=tmp_path, normalize=False, flatten=False, one_hot_label=True)
    assert x.shape == (60000, 1, 28, 28) and x.dtype == np.uint8 and t.shape == (60000, 10)
    assert np.array_equal(t.argmax(axis=1), t_train)
    assert np.array_equal(x.reshape(60000, 784) * np.float32(1 / 255), x_train)
    (x64, _), _ = D.load_mnist(dataset=name, data_dir=tmp_path, dtype=np.float64)
    assert x64.dtype == np.float64 and np.allclose(x64[:100], x_train[:100])
    # the cache alone is enough: no second download, no second decompression
    for f, _ in D.DATASETS[name].files.values():
        (folder / f).unlink()
    n_hits, n_gunzip = len(_Handler.hits), len(count_gunzip)
    (x2, _), _ = D.load_mnist(dataset=name, data_dir=tmp_path)
    assert np.array_equal(x2, x_train) and len(_Handler.hits) == n_hits and len(count_gunzip) == n_gunzip
    assert D.missing_files(name, tmp_path) == []


@needs_mnist
def test_cache_load_is_fast(tmp_path, monkeypatch):
    """Not a timing target (that is in the benchmarks) -- a guard against re-parsing on every load."""
    monkeypatch.setenv("COURSE_MNIST_SOURCE", str(SOURCES["mnist"]))
    D.load_mnist(data_dir=tmp_path)
    start = time.perf_counter()
    D.load_mnist(data_dir=tmp_path)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("name", DATASETS)
def test_404_on_first_mirror_falls_back_to_the_next(tmp_path, server, mirrors, name):
    mirrors(name, f"{server}/{name}/missing/", f"{server}/{name}/good/")
    D.fetch(name, tmp_path, progress=False)
    assert {m for _, m, _ in _Handler.hits} == {"missing", "good"}
    assert all((tmp_path / D.DATASETS[name].folder / f).is_file() for f, _ in D.DATASETS[name].files.values())


@pytest.mark.parametrize("mode", ["trunc", "corrupt", "cut"])
@pytest.mark.parametrize("name", DATASETS)
def test_bad_download_is_rejected_and_leaves_no_file(tmp_path, server, mirrors, name, mode):
    mirrors(name, f"{server}/{name}/{mode}/")
    with pytest.raises(D.MNISTError) as e:
        D.fetch(name, tmp_path, progress=False)
    msg = str(e.value)
    assert "train-images-idx3-ubyte.gz" in msg and "--source" in msg and D.DATASETS[name].title in msg
    folder = tmp_path / D.DATASETS[name].folder
    assert list(folder.iterdir()) == []  # nothing half-written: atomic writes only


@pytest.mark.parametrize("mode", ["trunc", "corrupt"])
@pytest.mark.parametrize("name", DATASETS)
def test_bad_download_falls_back_to_a_good_mirror(tmp_path, server, mirrors, name, mode):
    mirrors(name, f"{server}/{name}/{mode}/", f"{server}/{name}/good/")
    D.fetch(name, tmp_path, progress=False)
    (x, _), _ = D.load_mnist(dataset=name, data_dir=tmp_path, download=False)
    assert x.shape == (60000, 784)


@pytest.mark.parametrize("name", list(D.DATASETS))
def test_no_server_at_all_gives_a_clear_offline_error(tmp_path, mirrors, name):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mirrors(name, f"http://127.0.0.1:{port}/")
    with pytest.raises(D.MNISTError, match=r"(?s)offline.*python -m course_lib.data fetch.*--source") as e:
        D.load_mnist(dataset=name, data_dir=tmp_path)
    assert ("apt-get install dataset-fashion-mnist" in str(e.value)) == (name == "fashion")
    if name == "fashion":
        assert "fetch fashion --source" in str(e.value)


@pytest.mark.parametrize("name", list(D.DATASETS))
def test_download_false_says_how_to_get_the_data(tmp_path, name):
    with pytest.raises(D.MNISTError, match="make data") as e:
        D.load_mnist(dataset=name, data_dir=tmp_path, download=False)
    assert all(f in str(e.value) for f, _ in D.DATASETS[name].files.values())  # names every missing file
    assert sorted(D.missing_files(name, tmp_path)) == sorted(f for f, _ in D.DATASETS[name].files.values())


@pytest.mark.parametrize("name", DATASETS)
def test_import_from_a_local_folder_via_the_command_line(tmp_path, capsys, mirrors, name):
    mirrors(name, "http://127.0.0.1:9/")  # must not be used
    assert D.main(["fetch", name, "--source", str(SOURCES[name]), "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"{D.DATASETS[name].title} ready" in out and "60000 training and 10000 test images" in out
    assert D.main(["status", name, "--data-dir", str(tmp_path)]) == 0
    assert D.main(["status", name, "--data-dir", str(tmp_path / "empty")]) == 1
    assert "make data" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        D.main(["status", "nosuchdata"])


@pytest.mark.parametrize("name", DATASETS)
def test_an_installed_system_copy_is_used_offline(tmp_path, mirrors, monkeypatch, name):
    """Debian's dataset-fashion-mnist package installs the files under /usr/share/datasets: used without a network."""
    system = _copy_of(name, tmp_path / "usr-share")
    mirrors(name, "http://127.0.0.1:9/")  # a dead mirror: the system copy must be enough
    monkeypatch.setitem(D.DATASETS, name, dataclasses.replace(D.DATASETS[name], system_dirs=(str(system),)))
    (x, t), _ = D.load_mnist(dataset=name, data_dir=tmp_path / "d")
    assert x.shape == (60000, 784) and t[:5].tolist() == FIRST_TRAIN_LABELS[name]


@pytest.mark.parametrize("name", DATASETS)
def test_source_folder_with_a_bad_file_is_rejected(tmp_path, name):
    src = _copy_of(name, tmp_path / "src")
    lab = src / "t10k-labels-idx1-ubyte.gz"
    lab.write_bytes(lab.read_bytes()[:-100])
    assert D.main(["fetch", name, "--source", str(src), "--data-dir", str(tmp_path / "d")]) == 1
    assert not (tmp_path / "d" / D.DATASETS[name].folder / "t10k-labels-idx1-ubyte.gz").exists()


def test_the_other_dataset_in_the_wrong_folder_is_rejected(tmp_path):
    """Fashion-MNIST has MNIST's file names and format: the hashes tell them apart."""
    if SOURCES["fashion"] is None or SOURCES["mnist"] is None:
        pytest.skip("needs both datasets")
    _copy_of("fashion", tmp_path / "mnist")
    with pytest.raises(D.MNISTError, match=r"train-images-idx3-ubyte\.gz.*not MNIST.*make data"):
        D.load_mnist(data_dir=tmp_path, download=False)


@needs_mnist
def test_corrupt_local_file_names_the_file_and_the_fix(tmp_path):
    folder = _copy_of("mnist", tmp_path / "mnist")
    bad = folder / "train-labels-idx1-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:5000])
    with pytest.raises(D.MNISTError, match=r"train-labels-idx1-ubyte\.gz.*make data"):
        D.load_mnist(data_dir=tmp_path, download=False)


@needs_mnist
def test_a_corrupt_local_file_is_fetched_again_when_downloads_are_allowed(tmp_path, monkeypatch):
    folder = _copy_of("mnist", tmp_path / "mnist")
    bad = folder / "train-labels-idx1-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:5000])
    monkeypatch.setenv("COURSE_MNIST_SOURCE", str(SOURCES["mnist"]))
    (_, t), _ = D.load_mnist(data_dir=tmp_path)
    assert t[:5].tolist() == FIRST_TRAIN_LABELS["mnist"] and _sha(bad) == _sha(SOURCES["mnist"] / bad.name)


# ---------------------------------------------------------------- the cache
@needs_mnist
def test_a_broken_pickled_or_stale_cache_is_rebuilt_never_unpickled(tmp_path, count_gunzip):
    folder = _copy_of("mnist", tmp_path / "mnist")
    (x, _), _ = D.load_mnist(data_dir=tmp_path, download=False)
    x = x.copy()
    assert len(count_gunzip) == 4

    def replace(name, write):
        """A new file under the old name: a mapped file must never be rewritten in place (SIGBUS)."""
        tmp = folder / f"new-{name}"
        write(tmp)
        os.replace(tmp, folder / name)

    replace("x_train.npy", lambda p: np.save(p, np.array([object()], dtype=object), allow_pickle=True))
    (x2, _), _ = D.load_mnist(data_dir=tmp_path, download=False)  # the cache needs pickle now: rebuilt
    assert np.array_equal(x, x2) and len(count_gunzip) == 8
    replace("x_test.npy", lambda p: p.write_bytes((folder / "x_test.npy").read_bytes()[:1000]))  # truncated
    (_, _), (xt, _) = D.load_mnist(data_dir=tmp_path, download=False)
    assert xt.shape == (10000, 784) and len(count_gunzip) == 12
    tag = json.loads((folder / "cache.json").read_text())  # built from other files than the ones expected now
    tag["sha256"]["train_img"] = "0" * 64
    (folder / "cache.json").write_text(json.dumps(tag))
    assert D.missing_files("mnist", tmp_path) == []  # the .gz files are there: nothing to fetch
    D.load_mnist(data_dir=tmp_path, download=False)
    assert len(count_gunzip) == 16
    D.load_mnist(data_dir=tmp_path, download=False)  # and now it is current again
    assert len(count_gunzip) == 16


@needs_mnist
def test_the_old_npz_cache_is_removed_when_the_new_one_is_built(tmp_path):
    folder = _copy_of("mnist", tmp_path / "mnist")
    (folder / "mnist.npz").write_bytes(b"PK\x03\x04 an old cache")
    D.load_mnist(data_dir=tmp_path, download=False)
    assert not (folder / "mnist.npz").exists()


@needs_mnist
def test_an_in_place_edit_changes_only_this_kernels_copy(tmp_path):
    """Copy-on-write: the file on disk, a fresh load and another process keep the original pixels."""
    _copy_of("mnist", tmp_path / "mnist")
    (x_train, t_train), _ = D.load_mnist(data_dir=tmp_path, download=False)
    cache = tmp_path / "mnist" / "x_train.npy"
    before = _sha(cache)
    original = x_train[:3].copy()
    x_train[:3] = 7.0          # a student's in-place edit ...
    x_train *= 2               # ... and one that touches every page
    t_train[:] = 0
    assert x_train[0, 0] == 14.0 and t_train.max() == 0  # it took effect in this process
    assert _sha(cache) == before
    (fresh, t_fresh), _ = D.load_mnist(data_dir=tmp_path, download=False)
    assert np.array_equal(fresh[:3], original) and t_fresh[:5].tolist() == FIRST_TRAIN_LABELS["mnist"]
    other = subprocess.run(
        [sys.executable, "-c", "from course_lib.data import load_mnist; (x, t), _ = load_mnist(data_dir=%r, "
         "download=False); print(float(x[:3].max()), t[:5].tolist())" % str(tmp_path)],
        capture_output=True, text=True, check=True)
    assert other.stdout.split()[0] == "1.0"  # the other process sees pixels in [0, 1], not 7 or 14


def _rollup_kb() -> dict:
    """This process's memory (kB) from /proc/self/smaps_rollup: Rss, Anonymous (its own heap), Private_Clean, ..."""
    lines = Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]
    return {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in lines)}


@needs_mnist
@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux's /proc/self/smaps_rollup")
def test_reading_the_images_costs_page_cache_not_the_kernels_own_memory(tmp_path):
    """The pixels a kernel reads are pages of the cache file (shared by every process that maps it: a class server
    holds one copy), not anonymous memory of its own -- until it changes them (copy-on-write)."""
    _copy_of("mnist", tmp_path / "mnist")
    _, (x_test, _t) = D.load_mnist(data_dir=tmp_path, download=False)
    before = _rollup_kb()
    total = float(x_test.sum(dtype=np.float64))  # reads every page of the 31 MB of test images
    after = _rollup_kb()
    assert total > 0
    grew_mb = (after["Rss"] - before["Rss"]) / 1024
    anon_mb = (after["Anonymous"] - before["Anonymous"]) / 1024
    assert grew_mb >= 25, f"reading 31 MB of pixels mapped only {grew_mb:.1f} MB"
    assert anon_mb < 5, f"reading the pixels took {anon_mb:.1f} MB of the process's own memory: a copy was made"
    x_test[:1000] *= 2  # an in-place edit of 1000 rows (3 MB) makes those pages private copies
    assert (_rollup_kb()["Anonymous"] - after["Anonymous"]) / 1024 >= 2.5


@needs_mnist
def test_arrays_are_plain_views_of_the_mapped_cache_and_a_subset_is_a_view(tmp_path):
    _copy_of("mnist", tmp_path / "mnist")
    (x_train, t_train), _ = D.load_mnist(data_dir=tmp_path, download=False)
    assert type(x_train) is np.ndarray and isinstance(x_train.base, np.memmap)
    assert x_train.flags.writeable
    subset = x_train[:3000]
    assert np.shares_memory(subset, x_train)  # a view: no copy of 3,000 images
    (x4, _), _ = D.load_mnist(data_dir=tmp_path, download=False, flatten=False)
    assert x4.shape == (60000, 1, 28, 28) and isinstance(x4.base, np.ndarray)  # a reshape view, not a copy


# ---------------------------------------------------------------- names and toys
def test_class_names_are_data():
    assert D.class_names() == [str(i) for i in range(10)]
    fashion = D.class_names("fashion")
    assert len(fashion) == 10 and fashion[0] == "T-shirt/top" and fashion[9] == "Ankle boot"
    shipped = json.loads((ROOT / "data" / "class_names.json").read_text())
    assert shipped["fashion"] == fashion
    with pytest.raises(ValueError, match="unknown dataset"):
        D.class_names("cifar")


def test_toy_datasets():
    x, t = D.gate_dataset("xor")
    assert x.shape == (4, 2) and t.tolist() == [0, 1, 1, 0]
    x, t = D.nine_point_dataset()
    assert x.shape == (9, 2) and t.shape == (9,) and set(t.tolist()) == {0, 1}
    with pytest.raises(ValueError, match="unknown gate"):
        D.gate_dataset("XNORR")
