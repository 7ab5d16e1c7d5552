# attack: return a float subclass whose comparisons and arithmetic always make a test's check pass
# kind: fool
# notebook: 01_mini_lesson
# expect: 0
# %% exfx_mse
class Always(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
    def __sub__(self, other): return Always(0.0)
    __rsub__ = __sub__
    def __abs__(self): return Always(0.0)
    def __float__(self): return 1e9
    __hash__ = float.__hash__

def mean_squared_error(y, t):
    return Always(123.0)
