"""Graded exercises: the student edition, the self-check, sandboxed grading, feedback.

    python -m course_lib.grading release                  # student edition -> release/<notebook>/<notebook>.ipynb
    python -m course_lib.grading check NOTEBOOK           # a student's self-check (visible tests; exit 1 on a fail)
    python -m course_lib.grading grade DIR                # DIR/<student>/<notebook>.ipynb -> DIR/grades.csv + feedback
    python -m course_lib.grading gradebook DIR            # DIR/grades.csv -> nbgrader's gradebook (formgrader)

How grading works, top to bottom (the instructor's guide is docs/instructors.md):

- ``cells``     nbgrader's cell format; ``restore`` puts the source's locked cells back into a submission;
- ``grade``     finds the submissions, calibrates on the sources, grades each in its own trusted process,
                writes ``grades.csv``, ``grading_details.json`` and the feedback (``feedback``);
- ``engine``    the trusted process: runs the notebook's cells in the student's process, its tests here;
- ``sandbox``   starts the student's process in bubblewrap (or plain, for a self-check);
- ``worker``    the student's process: an IPython shell that runs the cells and answers requests;
- ``remote``    the student's values on the trusted side: plain data, proxies, mapped exceptions;
- ``channel``   the frames between the two (JSON + raw array buffers, never pickle);
- ``selfcheck`` the student's check (terminal table, and a button inside the notebook);
- ``release``   the student edition, by nbgrader's own preprocessors; ``gradebook`` the formgrader route.

Nothing here imports nbgrader except ``release`` and ``gradebook`` (students' self-checks do not need it).
"""
