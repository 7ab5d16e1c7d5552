# attack: shadow the reference functions and data the tests compare against (INPUTS, the course_lib gates, the hidden tests' _OR/_XOR) so that wrong answers match them
# kind: fool
# notebook: 01_perceptron
# expect: 0
# %% ex01_or_weights
import course_lib.perceptron as _perceptron

def or_gate(x1, x2):
    return 1

_always_one = lambda *args, **kwargs: 1
OR = AND = NAND = XOR = _OR = _XOR = _always_one
_perceptron.OR = _perceptron.XOR = _perceptron.AND = _perceptron.NAND = _always_one
INPUTS = np.ones((4, 2), dtype=np.int64)
_perceptron.INPUTS = INPUTS
# %% ex01_xor_from_gates
def xor_gate(x1, x2):
    return 1
# %% ex01_perceptron_batch
def perceptron_batch(x, w, b):
    return np.ones(len(x), dtype=np.int64)
