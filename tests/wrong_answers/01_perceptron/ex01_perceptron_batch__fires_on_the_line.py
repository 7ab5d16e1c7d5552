# mistake: fires exactly on the line (>= 0 instead of > 0)
# caught-by: hidden
def perceptron_batch(x, w, b):
    """Perceptron outputs for a batch. x: (N, D), w: (D,), b: float -> int array (N,) of 0/1."""
    return (np.asarray(x) @ np.asarray(w) + b >= 0).astype(np.int64)
