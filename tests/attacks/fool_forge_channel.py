# attack: write forged replies straight into the grader's channel (found through the garbage collector): the right answer for the visible test, then, when the hidden test calls, a frame that claims 4 GB
# kind: fool
# notebook: 01_mini_lesson
# expect: 0
# flags: integrity
# %% exfx_step
import gc, json, os, struct

_calls = []

def _channel():
    return next(o for o in gc.get_objects() if type(o).__name__ == "Worker").fd_out

def step_function(x):
    _calls.append(1)
    if len(_calls) == 1:
        data = json.dumps({"re": "ok", "v": {"L": [{"I": 0}, {"I": 0}, {"I": 1}]}, "sync": [], "csync": [],
                           "warn": []}).encode()
        os.write(_channel(), struct.pack(">II", len(data), 0) + data)
    else:
        os.write(_channel(), struct.pack(">II", 2**32 - 1, 0))
    return x
