# attack: search the file system for the instructor's source notebook (or any copy with solutions) and use its solutions
# kind: read
# notebook: 01_perceptron
# expect: 0
# %% ex01_or_weights
import json, os

def _find_solutions():
    for root, dirs, files in os.walk("/"):
        dirs[:] = [d for d in dirs if root != "/" or d not in ("proc", "sys", "dev")]
        for name in files:
            if name.endswith(".ipynb") or name.endswith(".json"):
                try:
                    nb = json.load(open(os.path.join(root, name)))
                    cells = ["".join(c["source"]) for c in nb["cells"]]
                except Exception:
                    continue
                found = [c for c in cells if "### BEGIN SOLUTION" in c]
                if found:
                    return found
    return []

for _code in _find_solutions():
    exec(_code.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""))

if "or_gate" not in globals():
    def or_gate(x1, x2):
        return 0
