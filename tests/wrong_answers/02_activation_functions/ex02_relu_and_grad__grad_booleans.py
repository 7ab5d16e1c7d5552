# mistake: relu_grad returns the booleans of x > 0 where the text says floats
# caught-by: visible
def relu(x):
    """ReLU max(0, x). x: array of any shape -> array of the same shape."""
    return np.maximum(np.asarray(x), 0)


def relu_grad(x):
    """Slope of ReLU: 1.0 where x > 0, else 0.0. x: array of any shape -> float array of the same shape."""
    return np.asarray(x) > 0
