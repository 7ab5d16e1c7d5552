# mistake: returns the comparison itself (a bool array) instead of 0/1 integers
# caught-by: visible
def perceptron_batch(x, w, b):
    """Perceptron outputs for a batch. x: (N, D), w: (D,), b: float -> int array (N,) of 0/1."""
    return np.asarray(x) @ np.asarray(w) + b > 0
