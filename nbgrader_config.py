"""nbgrader configuration of the course (for nbgrader's own commands and its formgrader, e.g. on a JupyterHub).

**Each notebook is its own nbgrader assignment**, named after it (``01_perceptron``, ``02_activation_functions``,
...), in nbgrader's standard layout at the project root:

    source/<notebook>/<notebook>.ipynb     links to notebooks/<notebook>.ipynb   (made by `make release`)
    release/<notebook>/<notebook>.ipynb    the student edition                   (made by `make release`)
    submitted/<student>/<notebook>/        `nbgrader collect <notebook>`
    feedback/<student>/<notebook>/         `python -m course_lib.grading grade submitted --feedback-dir feedback`,
                                           then `nbgrader release_feedback <notebook>`

So formgrader lists the lessons, `nbgrader release_assignment 01_perceptron` hands out `release/01_perceptron/`,
and `python -m course_lib.grading gradebook submitted` loads the grader's scores into the gradebook formgrader
shows. Scores come from `make grade` (sandboxed), never from `nbgrader autograde` (which runs the students' code
unsandboxed, as you). See docs/instructors.md.
"""
import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "nn-from-scratch")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")

# the student version of a solution region (the same stub as `make release`)
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# On a JupyterHub, the exchange folder shared by instructors and students, e.g.:
# c.Exchange.root = "/srv/nbgrader/exchange"
