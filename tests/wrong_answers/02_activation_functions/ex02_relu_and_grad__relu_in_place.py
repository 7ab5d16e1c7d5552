# mistake: relu sets the negative entries of the caller's x to 0
# caught-by: visible
def relu(x):
    """ReLU max(0, x). x: array of any shape -> array of the same shape."""
    x[x < 0] = 0
    return x


def relu_grad(x):
    """Slope of ReLU: 1.0 where x > 0, else 0.0. x: array of any shape -> float array of the same shape."""
    return (np.asarray(x) > 0).astype(np.float64)
