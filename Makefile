# nn-from-scratch -- every command sets up .venv first (fast when it is up to date).
SHELL := /bin/bash
PYTHON ?= python3
comma := ,
VENV := .venv
PY := $(VENV)/bin/python
STUDENT_EXTRAS := student
TEST_EXTRAS := student,dev,instructor,browser,hub
HUB_EXTRAS := student,hub
NB ?=
SUBMISSIONS ?=
GRADE_ARGS ?=
PYTEST_ARGS ?=
# the class hub (make hub, as root): state folder, environment folder, address, accounts, per-user limits
HUB_DIR ?= /srv/nn-from-scratch-hub
HUB_PREFIX ?= /opt/nn-from-scratch
HUB_IP ?= 127.0.0.1
HUB_PORT ?= 8000
HUB_INSTRUCTOR ?= nnfs-instructor
HUB_STUDENTS ?= nnfs-student1 nnfs-student2 nnfs-student3
HUB_MEM_MB ?= 1024
HUB_CPUS ?= 1
HUB_PASSWORDS ?=
HUB_BENCH_STUDENTS ?= 10
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

.PHONY: help venv data lab solution author test test-student test-unit test-notebooks test-browser test-hub notebooks check release grade bench clean hub hub-stop

help:
	@echo "Students"
	@echo "  make lab              set up .venv, fetch the data, copy the notebooks into work/ (yours: never overwritten),"
	@echo "                        open JupyterLab at work/00_start_here.ipynb"
	@echo "  make check NB=03      check your exercises in work/ (a number or a path; exit 1 when one fails)"
	@echo "  make solution NB=03   the reference solutions of a notebook, into work/solutions/ (try first!)"
	@echo "  make data             fetch MNIST and Fashion-MNIST (COURSE_MNIST_SOURCE=DIR make data imports a local copy)"
	@echo "Authors"
	@echo "  make author           JupyterLab on notebooks/, the source with solutions and hidden tests"
	@echo "  make notebooks        re-execute and clean every notebook (after editing one)"
	@echo "  make test             set up .venv, make sure the data is there, run every test"
	@echo "  make test-unit | test-notebooks | test-browser | test-hub | test-student   parts of it"
	@echo "  make bench            speed benchmarks -> bench/results.json (as root also the hub's load: HUB_BENCH_STUDENTS"
	@echo "                        students run notebook 07 at once)"
	@echo "Instructors"
	@echo "  make release          the student edition, into release/<notebook>/ (nbgrader's layout; links in source/)"
	@echo "  make grade SUBMISSIONS=DIR   grade DIR/<student>/<notebook>.ipynb (sandboxed) into DIR/grades.csv"
	@echo "  make hub              (root) the class on this machine: JupyterHub on http://$(HUB_IP):$(HUB_PORT)/ for"
	@echo "                        HUB_INSTRUCTOR and HUB_STUDENTS, limits HUB_MEM_MB/HUB_CPUS, the course link, the"
	@echo "                        exchange; state in HUB_DIR, environment in HUB_PREFIX (docs/instructors.md)"
	@echo "  make hub-stop         stop the hub, its proxy and every server and kernel of its users (by PID)"
	@echo "  make test-hub         (root) the hub's tests: students, course link, exchange, grading, limits"

venv:
	$(call setup,$(TEST_EXTRAS))

data: venv
	$(PY) -m course_lib.data fetch mnist fashion

lab:
	$(call setup,$(STUDENT_EXTRAS))
	@$(PY) -m course_lib.data fetch mnist fashion || echo "*** MNIST or Fashion-MNIST is not available yet: the notebooks that use them need it. Run 'make data' when online, or 'COURSE_MNIST_SOURCE=DIR make data'. ***"
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

# The student route alone (CI runs it on the oldest supported Python): the student and dev extras, no instructor,
# browser or hub packages; the unit tests, the working copies and a self-check of an unfinished notebook (exit 1).
test-student:
	$(call setup,$(STUDENT_EXTRAS)$(comma)dev)
	$(PY) -m course_lib.data fetch mnist fashion
	$(PY) -m pytest tests -m "not browser and not grading and not hub" $(PYTEST_ARGS)
	@work=$$(mktemp -d) && $(PY) -m course_lib.workspace sync --work $$work >/dev/null && \
	  { $(PY) -m course_lib.grading check $$work/01_perceptron.ipynb; test $$? -eq 1; } && rm -rf $$work && \
	  echo "the self-check of an unfinished notebook says so and exits 1"

test-unit: venv data
	$(PY) -m pytest tests -m "not browser and not grading and not hub" $(PYTEST_ARGS)

test-notebooks: venv data
	$(PY) -m pytest notebooks $(NBVAL) $(PYTEST_ARGS)

test-browser: venv data
	$(PY) -m pytest tests -m browser $(PYTEST_ARGS)

test-hub: venv data
	$(PY) -m pytest tests/hub $(PYTEST_ARGS)

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
	$(PY) bench/hub_load.py --students $(HUB_BENCH_STUDENTS) --prefix "$(HUB_PREFIX)"

hub:
	$(call setup,$(HUB_EXTRAS))
	@$(PY) -m course_lib.data fetch
	$(PY) -m course_hub --hub-dir "$(HUB_DIR)" up --prefix "$(HUB_PREFIX)" --ip "$(HUB_IP)" --port "$(HUB_PORT)" \
	  --instructor "$(HUB_INSTRUCTOR)" --students "$(HUB_STUDENTS)" --mem-limit-mb "$(HUB_MEM_MB)" \
	  --cpu-limit "$(HUB_CPUS)" $(if $(HUB_PASSWORDS),--passwords "$(HUB_PASSWORDS)")

hub-stop:
	@test -x $(PY) || { echo "no .venv: nothing was started by make hub here"; exit 0; }
	$(PY) -m course_hub --hub-dir "$(HUB_DIR)" down

clean:
	rm -rf release source artifacts .pytest_cache   # never work/: it holds the students' own notebooks
