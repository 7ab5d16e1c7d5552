# attack: return ndarray subclasses whose __eq__, __array_ufunc__ and __array_function__ always say "equal"
# kind: fool
# notebook: 01_mini_lesson
# expect: 0
# %% exfx_step
class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)
    __ne__ = lambda self, other: np.zeros(np.shape(self), dtype=bool)
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(np.broadcast(*[np.asarray(i) for i in inputs]).shape) if ufunc is not np.isfinite else True
    def __array_function__(self, func, types, args, kwargs):
        return True
    def __array_finalize__(self, obj):
        pass

def step_function(x):
    return np.asarray(x, dtype=float).view(Liar)
# %% exfx_layer
class Scale:
    def __init__(self, a):
        self.a = a
    def forward(self, x):
        return np.zeros_like(x).view(Liar)
    def backward(self, dout):
        return np.zeros_like(dout).view(Liar)
