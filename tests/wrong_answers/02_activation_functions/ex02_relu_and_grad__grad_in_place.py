# mistake: relu_grad writes the 0/1 slopes into x
# caught-by: visible
def relu(x):
    """ReLU max(0, x). x: array of any shape -> array of the same shape."""
    return np.maximum(np.asarray(x), 0)


def relu_grad(x):
    """Slope of ReLU: 1.0 where x > 0, else 0.0. x: array of any shape -> float array of the same shape."""
    x[x > 0] = 1.0
    x[x <= 0] = 0.0
    return x
