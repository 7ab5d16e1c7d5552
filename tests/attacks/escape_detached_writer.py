# attack: start a detached process (new session, double fork) that outlives the run and keeps rewriting every grades.csv, grading_details.json and feedback page it can find
# kind: escape
# notebook: 01_mini_lesson
# expect: 0
# %% new
import os, subprocess

SCRIPT = r"""
while true; do
  for f in $(find / -xdev \( -name grades.csv -o -name grading_details.json -o -name '*.html' \) 2>/dev/null); do
    echo 'student,notebook,score,max_score,flags' > "$f"
  done
  sleep 0.2
done
"""
if os.fork() == 0:          # the child: a new session, then a grandchild that nobody waits for
    os.setsid()
    if os.fork() == 0:
        subprocess.Popen(["sh", "-c", SCRIPT, "attack-marker-98765"], start_new_session=True)
        subprocess.Popen(["sleep", "98765.4321"], start_new_session=True)
    os._exit(0)
