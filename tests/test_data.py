"""The MNIST loader: the real download code against a local HTTP server on 127.0.0.1.

The server serves the four verified .gz files (from $COURSE_MNIST_SOURCE, the project's data/mnist
or ../shared/data/mnist) under several prefixes that misbehave on purpose: truncated, corrupt,
404, a connection cut short. No test touches the internet.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from course_lib import data as D

ROOT = Path(__file__).resolve().parent.parent


def _find_source():
    for cand in (os.environ.get("COURSE_MNIST_SOURCE"), ROOT / "data" / "mnist", ROOT.parent / "shared" / "data" / "mnist"):
        if cand and all((Path(cand) / f).is_file() for f, _ in D.MNIST_FILES.values()):
            return Path(cand)
    return None


SOURCE = _find_source()
pytestmark = pytest.mark.skipif(SOURCE is None and not os.environ.get("CI"),
                                reason="no local copy of the MNIST .gz files (run `make data`)")


class _Handler(BaseHTTPRequestHandler):
    files: dict = {}
    hits: list = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        _, mode, name = self.path.split("/", 2)
        self.hits.append((mode, name))
        body = self.files.get(name)
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
        self.send_header("Content-Length", str(len(self.files[name]) if mode == "cut" else len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 3] if mode == "cut" else body)


@pytest.fixture(scope="module")
def server():
    _Handler.files = {f: (SOURCE / f).read_bytes() for f, _ in D.MNIST_FILES.values()}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def mirrors(monkeypatch):
    def use(*urls):
        monkeypatch.setenv("COURSE_MNIST_MIRRORS", " ".join(urls))
    monkeypatch.delenv("COURSE_MNIST_SOURCE", raising=False)
    _Handler.hits = []
    return use


def _copy_of_mnist(folder: Path) -> Path:
    """A new folder holding a copy of the four verified .gz files."""
    folder.mkdir()
    for f, _ in D.MNIST_FILES.values():
        (folder / f).write_bytes((SOURCE / f).read_bytes())
    return folder


def _leftovers(folder: Path):
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")]


def test_fetch_from_a_mirror_and_load_in_all_forms(tmp_path, server, mirrors):
    mirrors(f"{server}/good/")
    (x_train, t_train), (x_test, t_test) = D.load_mnist(data_dir=tmp_path)
    assert x_train.shape == (60000, 784) and x_train.dtype == np.float32
    assert t_train.shape == (60000,) and x_test.shape == (10000, 784) and t_test.shape == (10000,)
    assert 0.0 <= x_train.min() and x_train.max() == 1.0
    assert t_train[:5].tolist() == [5, 0, 4, 1, 9]  # the well-known first training labels
    folder = tmp_path / "mnist"
    assert (folder / "mnist.npz").is_file() and not _leftovers(folder)
    with np.load(folder / "mnist.npz", allow_pickle=False) as z:  # plain arrays, no pickle needed
        assert z["train_img"].dtype == np.uint8

    (x, t), _ = D.load_mnist(data_dir=tmp_path, normalize=False, flatten=False, one_hot_label=True)
    assert x.shape == (60000, 1, 28, 28) and x.dtype == np.uint8 and t.shape == (60000, 10)
    assert np.array_equal(t.argmax(axis=1), t_train)
    # the cache alone is enough: no second download, no second parse of the IDX files
    for f, _ in D.MNIST_FILES.values():
        (folder / f).unlink()
    n_hits = len(_Handler.hits)
    (x2, _), _ = D.load_mnist(data_dir=tmp_path)
    assert np.array_equal(x2, x_train) and len(_Handler.hits) == n_hits


def test_cache_load_is_fast(tmp_path, server, mirrors):
    """Not a timing target (that is in the benchmarks) -- a guard against re-parsing on every load."""
    mirrors(f"{server}/good/")
    D.load_mnist(data_dir=tmp_path)
    start = time.perf_counter()
    D.load_mnist(data_dir=tmp_path)
    assert time.perf_counter() - start < 3.0


def test_404_on_first_mirror_falls_back_to_the_next(tmp_path, server, mirrors):
    mirrors(f"{server}/missing/", f"{server}/good/")
    D.fetch_mnist(tmp_path, progress=False)
    modes = {m for m, _ in _Handler.hits}
    assert modes == {"missing", "good"}
    assert all((tmp_path / "mnist" / f).is_file() for f, _ in D.MNIST_FILES.values())


@pytest.mark.parametrize("mode", ["trunc", "corrupt", "cut"])
def test_bad_download_is_rejected_and_leaves_no_file(tmp_path, server, mirrors, mode):
    mirrors(f"{server}/{mode}/")
    with pytest.raises(D.MNISTError) as e:
        D.fetch_mnist(tmp_path, progress=False)
    msg = str(e.value)
    assert "train-images-idx3-ubyte.gz" in msg and "--source" in msg
    folder = tmp_path / "mnist"
    assert list(folder.iterdir()) == []  # nothing half-written: atomic writes only


@pytest.mark.parametrize("mode", ["trunc", "corrupt"])
def test_bad_download_falls_back_to_a_good_mirror(tmp_path, server, mirrors, mode):
    mirrors(f"{server}/{mode}/", f"{server}/good/")
    D.fetch_mnist(tmp_path, progress=False)
    (x, _), _ = D.load_mnist(data_dir=tmp_path, download=False)
    assert x.shape == (60000, 784)


def test_no_server_at_all_gives_a_clear_offline_error(tmp_path, mirrors):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mirrors(f"http://127.0.0.1:{port}/")
    with pytest.raises(D.MNISTError, match=r"(?s)offline.*python -m course_lib.data fetch --source"):
        D.load_mnist(data_dir=tmp_path)


def test_download_false_says_how_to_get_the_data(tmp_path):
    with pytest.raises(D.MNISTError, match="make data"):
        D.load_mnist(data_dir=tmp_path, download=False)


def test_import_from_a_local_folder_via_the_command_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_MNIST_MIRRORS", "http://127.0.0.1:9/")  # must not be used
    assert D.main(["fetch", "--source", str(SOURCE), "--data-dir", str(tmp_path)]) == 0
    assert "60000 training and 10000 test images" in capsys.readouterr().out
    assert D.main(["status", "--data-dir", str(tmp_path)]) == 0
    assert D.main(["status", "--data-dir", str(tmp_path / "empty")]) == 1


def test_source_folder_with_a_bad_file_is_rejected(tmp_path):
    src = _copy_of_mnist(tmp_path / "src")
    lab = src / "t10k-labels-idx1-ubyte.gz"
    lab.write_bytes(lab.read_bytes()[:-100])
    assert D.main(["fetch", "--source", str(src), "--data-dir", str(tmp_path / "d")]) == 1
    assert not (tmp_path / "d" / "mnist" / "t10k-labels-idx1-ubyte.gz").exists()


def test_corrupt_local_file_names_the_file_and_the_fix(tmp_path):
    folder = _copy_of_mnist(tmp_path / "mnist")
    bad = folder / "train-labels-idx1-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:5000])
    with pytest.raises(D.MNISTError, match=r"train-labels-idx1-ubyte\.gz.*make data"):
        D.load_mnist(data_dir=tmp_path, download=False)


def test_a_broken_or_pickled_cache_is_rebuilt_never_unpickled(tmp_path):
    folder = _copy_of_mnist(tmp_path / "mnist")
    cache = folder / "mnist.npz"
    np.savez(cache, tag=np.array([object()], dtype=object))  # would need pickle to read
    (x, _), _ = D.load_mnist(data_dir=tmp_path, download=False)
    assert x.shape == (60000, 784)
    with np.load(cache, allow_pickle=False) as z:
        assert "train_img" in z.files
    cache.write_bytes(b"PK\x03\x04 truncated")
    (x2, _), _ = D.load_mnist(data_dir=tmp_path, download=False)
    assert np.array_equal(x, x2)


def test_toy_datasets():
    x, t = D.gate_dataset("xor")
    assert x.shape == (4, 2) and t.tolist() == [0, 1, 1, 0]
    x, t = D.nine_point_dataset()
    assert x.shape == (9, 2) and t.shape == (9,) and set(t.tolist()) == {0, 1}
    with pytest.raises(ValueError, match="unknown gate"):
        D.gate_dataset("XNORR")
