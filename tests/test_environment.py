"""The conda route and the pip route install the same packages."""
import re
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _split(req: str):
    name, spec = NAME.match(req).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def pyproject_requirements():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in ("student", "dev", "instructor", "hub"):  # hub: environment.yml is also the class image
        reqs += meta["optional-dependencies"][extra]
    return dict(_split(r) for r in reqs)


def conda_requirements():
    reqs = {}
    in_deps = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        m = re.match(r"^  - ([^\s:]+)\s*$", line)
        if in_deps and m:
            name, spec = _split(m.group(1))
            if name not in ("python", "pip"):
                reqs[name] = spec
    return reqs


def test_environment_yml_matches_pyproject():
    assert conda_requirements() == pyproject_requirements()


def test_environment_yml_installs_the_course_package():
    assert "- -e ." in (ROOT / "environment.yml").read_text()
