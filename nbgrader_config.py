"""nbgrader configuration of the course (for nbgrader's own commands, e.g. on a JupyterHub).

The whole course is **one nbgrader assignment called ``notebooks``** whose source is this project's
``notebooks/`` folder, as it is -- no copying into ``source/``:

    nbgrader's path                 here
    source/<assignment>/        ->  ./notebooks/            (source_directory ".")
    release/<assignment>/       ->  release/notebooks/      (also what `make release` writes)
    submitted/<student>/<assignment>/  ->  submitted/<student>/notebooks/   (`nbgrader collect`)
    feedback/<student>/<assignment>/   ->  feedback/<student>/notebooks/   (`nbgrader release_feedback`)

`make release`, `make check` and `make grade` do not need this file (they use nbgrader's
preprocessors as a library and grade with course_lib.grading); it is here so that
`nbgrader generate_assignment notebooks`, `release_assignment`, `collect` and `release_feedback`
work on the same layout. See docs/instructors.md.
"""
import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "."
c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "nn-from-scratch")

# the student version of a solution region (the same stub as `make release`)
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# only for nbgrader's own autograde (`make grade` has its own limits: see docs/instructors.md)
c.Execute.timeout = 60

# On a JupyterHub, the exchange folder shared by instructors and students, e.g.:
# c.Exchange.root = "/srv/nbgrader/exchange"
