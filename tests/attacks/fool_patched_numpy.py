# attack: wrong answers, plus NumPy's comparison functions patched (rebound, and their __code__ swapped) to always say "equal"
# kind: fool
# notebook: 01_mini_lesson
# expect: 0
# %% exfx_step
import numpy.testing

def _yes(*args, **kwargs):
    return True

def _silent(*args, **kwargs):
    return None

np.allclose = np.array_equal = np.isclose = _yes
numpy.testing.assert_allclose = numpy.testing.assert_array_equal = _silent
for _f in (np.all, np.any):
    try:
        _f.__code__ = _yes.__code__
    except (AttributeError, TypeError):
        pass

def step_function(x):
    return x
# %% exfx_mse
def mean_squared_error(y, t):
    return 42.0
