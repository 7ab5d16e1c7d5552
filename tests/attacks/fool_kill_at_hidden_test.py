# attack: every exercise right except a naive sigmoid that would fail the hidden test (overflow); it kills its own process as soon as it sees the hidden test's large inputs
# kind: fool
# notebook: 01_mini_lesson
# expect: 8
# flags: crashed
# %% exfx_step
def step_function(x):
    return (np.asarray(x) > 0).astype(np.int64)
# %% exfx_sigmoid
import os, signal

def sigmoid(x):
    x = np.asarray(x, dtype=float)
    if np.abs(x).max() >= 100:           # not the visible test's input: a hidden test
        os.kill(os.getpid(), signal.SIGKILL)
    return 1 / (1 + np.exp(-x))
# %% exfx_mse
def mean_squared_error(y, t):
    return 0.5 * float(np.sum((np.asarray(y) - np.asarray(t)) ** 2))
# %% exfx_gradient
def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros(x.shape)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + h
        a = f(x)
        x.flat[i] = old - h
        b = f(x)
        x.flat[i] = old
        grad.flat[i] = (a - b) / (2 * h)
    return grad
# %% exfx_layer
class Scale:
    def __init__(self, a):
        self.a = a
    def forward(self, x):
        return self.a * x
    def backward(self, dout):
        return self.a * dout
