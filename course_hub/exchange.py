"""nbgrader's exchange, with a clear message when a student submits to a closed assignment.

An instructor closes an assignment by taking it out of the exchange (``nbgrader list --remove ASSIGNMENT``);
nbgrader has due dates, but they only mark late submissions, they do not refuse them. nbgrader's own submit then
fails with "Assignment not found: <a path in the exchange>". This subclass says what that means for the student,
before anything is copied: nothing in the student's folder changes. The hub selects it in the environment's
nbgrader configuration (``c.ExchangeFactory.submit``).
"""
from __future__ import annotations

import os

from nbgrader.exchange.default.submit import ExchangeSubmit


def closed_message(assignment: str, folder: str) -> str:
    return (f"The assignment {assignment} is closed: your instructor no longer accepts submissions for it, so "
            f"nothing was submitted. Your work is unchanged in {folder}. If you need to hand it in late, ask your "
            "instructor.")


class CourseExchangeSubmit(ExchangeSubmit):
    def init_release(self):
        release = os.path.join(self.root, self.coursedir.course_id, "outbound", self.coursedir.assignment_id)
        if self.coursedir.course_id and not os.path.isdir(release):
            self.fail(closed_message(self.coursedir.assignment_id, self.src_path))
        super().init_release()
