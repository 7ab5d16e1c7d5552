# mistake: np.sum(x * w) adds up the whole batch: one number instead of one per row
# caught-by: visible
def perceptron_batch(x, w, b):
    """Perceptron outputs for a batch. x: (N, D), w: (D,), b: float -> int array (N,) of 0/1."""
    return (np.sum(x * w) + b > 0).astype(np.int64)
