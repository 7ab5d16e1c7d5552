# attack: none -- an honest student who builds a lookup table with a loop at the top level of a solution cell (the old grader flagged this): full marks, no flag
# kind: small
# notebook: 01_mini_lesson
# expect: 10 exactly
# %% exfx_step
_signs = {}
for _v in (-1, 0, 1):
    _signs[_v] = 1 if _v > 0 else 0

def step_function(x):
    return np.vectorize(lambda v: _signs[int(np.sign(v))])(np.asarray(x)).astype(np.int64)
# %% exfx_sigmoid
def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -x))
# %% exfx_mse
def mean_squared_error(y, t):
    return 0.5 * float(np.sum((np.asarray(y) - np.asarray(t)) ** 2))
# %% exfx_gradient
def numerical_gradient(f, x):
    grad = np.zeros(x.shape)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + 1e-4
        a = f(x)
        x.flat[i] = old - 1e-4
        b = f(x)
        x.flat[i] = old
        grad.flat[i] = (a - b) / 2e-4
    return grad
# %% exfx_layer
class Scale:
    def __init__(self, a):
        self.a = a
    def forward(self, x):
        return self.a * x
    def backward(self, dout):
        return self.a * dout
print("top-level code runs too:", step_function(np.array([-2.0, 3.0])))
