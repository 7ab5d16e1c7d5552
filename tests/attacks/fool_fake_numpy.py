# attack: rebind np (and builtins) to look-alikes whose comparisons always succeed, with wrong answers
# kind: fool
# notebook: 01_mini_lesson
# expect: 0
# %% new
import builtins
import numpy as _real_np

class _FakeNumpy:
    def __getattr__(self, name):
        if name in ("allclose", "array_equal", "isclose", "all", "any"):
            return lambda *a, **k: True
        return getattr(_real_np, name)

np = _FakeNumpy()
builtins.AssertionError = type("AssertionError", (Exception,), {})
builtins.abs = lambda x: 0
# %% exfx_step
def step_function(x):
    return x
# %% exfx_mse
def mean_squared_error(y, t):
    return 1.0
