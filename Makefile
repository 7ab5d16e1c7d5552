# nn-from-scratch -- every command sets up .venv first (fast when it is up to date).
SHELL := /bin/bash
PYTHON ?= python3
comma := ,
VENV := .venv
PY := $(VENV)/bin/python
STUDENT_EXTRAS := student
TEST_EXTRAS := student,dev,instructor,browser
NB ?=
SUBMISSIONS ?=
GRADE_ARGS ?=
PYTEST_ARGS ?=
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

# $(call setup,EXTRAS): create .venv if needed; (re)install when pyproject.toml is newer than the stamp.
define setup
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@stamp="$(VENV)/.installed-$(1)"; \
	if [ ! -f "$$stamp" ] || [ pyproject.toml -nt "$$stamp" ]; then \
	  echo "installing course_lib[$(1)] into $(VENV) ..."; \
	  $(PY) -m pip install --quiet --upgrade pip && \
	  $(PY) -m pip install --quiet -e ".[$(1)]" && touch "$$stamp"; \
	fi
endef

.PHONY: help venv data lab solution author test test-unit test-notebooks test-browser notebooks check release grade bench clean

help:
	@echo "Students"
	@echo "  make lab              set up .venv, fetch MNIST, copy the notebooks into work/ (yours: never overwritten),"
	@echo "                        open JupyterLab at work/00_start_here.ipynb"
	@echo "  make check NB=03      check your exercises in work/ (a number or a path; exit 1 when one fails)"
	@echo "  make solution NB=03   the reference solutions of a notebook, into work/solutions/ (try first!)"
	@echo "  make data             fetch MNIST (or COURSE_MNIST_SOURCE=DIR make data to import a local copy)"
	@echo "Authors"
	@echo "  make author           JupyterLab on notebooks/, the source with solutions and hidden tests"
	@echo "  make notebooks        re-execute and clean every notebook (after editing one)"
	@echo "  make test             set up .venv, make sure MNIST is there, run every test"
	@echo "  make test-unit | test-notebooks | test-browser   parts of it"
	@echo "  make bench            speed benchmarks -> bench/results.json"
	@echo "Instructors"
	@echo "  make release          the student edition, into release/<notebook>/ (nbgrader's layout; links in source/)"
	@echo "  make grade SUBMISSIONS=DIR   grade DIR/<student>/<notebook>.ipynb (sandboxed) into DIR/grades.csv"

venv:
	$(call setup,$(TEST_EXTRAS))

data: venv
	$(PY) -m course_lib.data fetch

lab:
	$(call setup,$(STUDENT_EXTRAS))
	@$(PY) -m course_lib.data fetch || echo "*** MNIST is not available yet: the MNIST notebooks need it. Run 'make data' when online, or 'COURSE_MNIST_SOURCE=DIR make data'. ***"
	@$(PY) -m course_lib.workspace sync
	JUPYTER_CONFIG_PATH=$(CURDIR)/.jupyter-student $(VENV)/bin/jupyter lab --ServerApp.root_dir=work --LabApp.default_url=/lab/tree/00_start_here.ipynb

solution:
	$(call setup,$(STUDENT_EXTRAS))
	@test -n "$(NB)" || { echo "usage: make solution NB=03"; exit 2; }
	@$(PY) -m course_lib.workspace solution $(NB)

author:
	$(call setup,$(TEST_EXTRAS))
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/00_start_here.ipynb

test: venv data
	$(PY) -m pytest tests notebooks $(NBVAL) $(PYTEST_ARGS)

test-unit: venv data
	$(PY) -m pytest tests -m "not browser and not grading" $(PYTEST_ARGS)

test-notebooks: venv data
	$(PY) -m pytest notebooks $(NBVAL) $(PYTEST_ARGS)

test-browser: venv data
	$(PY) -m pytest tests -m browser $(PYTEST_ARGS)

notebooks: venv data
	$(PY) scripts/nbtool.py run

check:
	$(call setup,$(STUDENT_EXTRAS))
	@test -n "$(NB)" || { echo "usage: make check NB=03 (your work/03_*.ipynb) or NB=path/to/notebook.ipynb"; exit 2; }
	@$(PY) -m course_lib.grading check $(NB)

release: venv
	$(PY) -m course_lib.grading release

grade: venv
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=DIR [GRADE_ARGS='--unsandboxed ...']"; exit 2; }
	$(PY) -m course_lib.grading grade $(SUBMISSIONS) $(GRADE_ARGS)

bench: data
	$(call setup,dev$(comma)bench)
	$(PY) bench/run.py

clean:
	rm -rf release source artifacts .pytest_cache   # never work/: it holds the students' own notebooks
