# attack: wrong answers, plus the IPython shell patched so that every later cell (the tests, in a kernel) runs nothing and swallows its errors
# kind: fool
# notebook: 01_mini_lesson
# expect: 0
# %% new
import sys
_ip = get_ipython()
_ip.input_transformers_cleanup.append(lambda lines: ["pass\n"] if any("assert" in l or "requirement" in l for l in lines) else lines)
_ip.set_custom_exc((BaseException,), lambda *args, **kwargs: None)
sys.excepthook = lambda *args: None
_original_compile = _ip.compile
# %% exfx_sigmoid
def sigmoid(x):
    return x
# %% exfx_mse
def mean_squared_error(y, t):
    return -1.0
