# attack: pull hidden-test text out of the caller's frames, the traceback, linecache and the garbage collector, and show it in an error (so it lands in the feedback)
# kind: read
# notebook: 01_mini_lesson
# expect: 0
# %% exfx_step
import gc, linecache, sys, traceback

def _loot():
    texts = ["".join(traceback.format_stack())]
    frame = sys._getframe()
    while frame is not None:
        texts.append(repr(frame.f_globals.get("__name__")) + repr(list(frame.f_locals)))
        frame = frame.f_back
    texts += ["".join(lines) for _, _, lines, _ in linecache.cache.values() if isinstance(lines, list)]
    texts += [o for o in gc.get_objects() if isinstance(o, str) and ("HIDDEN" in o or "1000.0" in o)]
    return " | ".join(t.replace("\n", " ") for t in texts)

def step_function(x):
    raise ValueError(_loot()[-150:] + " // " + _loot()[:150])
# %% exfx_gradient
def numerical_gradient(f, x):
    # a function of the test: what can be learnt from it?
    raise ValueError(repr(f) + " " + repr([a for a in dir(f)]) + " " + repr(getattr(f, "_worker", None)))
