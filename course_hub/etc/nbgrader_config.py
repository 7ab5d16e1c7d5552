"""nbgrader's configuration for everyone on the class hub: ``make hub`` installs it as
``<environment>/etc/jupyter/nbgrader_config.py``. The course directory's own ``nbgrader_config.py`` (the
instructor's ``~/course``) comes on top of it."""
import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "nn-from-scratch")
if os.environ.get("COURSE_HUB_EXCHANGE"):  # set by the hub for every user's server, kernel and terminal
    c.Exchange.root = os.environ["COURSE_HUB_EXCHANGE"]
# Students work in the folder the course link (nbgitpuller) makes: ~/nn-from-scratch/01_perceptron/... -- so the
# Assignments tab lists those folders as fetched and submits the notebook the student worked in. Before the first
# click on the link that folder does not exist (and must not: nbgitpuller clones into it), so until then nbgrader
# uses the home folder, as it does by default.
_course = os.path.expanduser("~/nn-from-scratch")
c.Exchange.assignment_dir = _course if os.path.isdir(_course) else os.path.expanduser("~")
# a clear message, and nothing copied, when an assignment is closed (course_hub/exchange.py)
c.ExchangeFactory.submit = "course_hub.exchange.CourseExchangeSubmit"
