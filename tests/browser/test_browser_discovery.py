"""How the browser tests find the widget notebooks and the browser (no browser needed: part of test-unit)."""
import json

import labdriver


def test_widget_notebooks_are_found_by_their_tag(tmp_path):
    def write(name, tags):
        nb = {"cells": [{"cell_type": "code", "metadata": {"tags": t}, "source": "", "outputs": [],
                         "execution_count": None} for t in tags], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        (tmp_path / name).write_text(json.dumps(nb))

    write("01_a.ipynb", [[], ["nbval-ignore-output", "main-widget"]])
    write("02_b.ipynb", [["nbval-ignore-output"]])
    write("03_c.ipynb", [["main-widget"]])
    (tmp_path / "04_broken.ipynb").write_text("{not json")
    assert [p.name for p in labdriver.widget_notebooks(tmp_path)] == ["01_a.ipynb", "03_c.ipynb", "04_broken.ipynb"]
    assert labdriver.main_widget_index(json.loads((tmp_path / "01_a.ipynb").read_text())) == 1


def test_find_chromium_honours_course_chromium(tmp_path, monkeypatch):
    fake = tmp_path / "chrome"
    fake.write_text("")
    monkeypatch.setenv("COURSE_CHROMIUM", str(fake))
    assert labdriver.find_chromium() == str(fake)
    monkeypatch.setenv("COURSE_CHROMIUM", str(tmp_path / "missing"))
    assert labdriver.find_chromium() is None


def test_find_chromium_looks_on_path(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert labdriver.find_chromium() is None
    exe = tmp_path / "chromium"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    assert labdriver.find_chromium() == str(exe)


def test_the_news_toast_is_switched_off():
    overrides = json.loads((labdriver.SETTINGS / "overrides.json").read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False
