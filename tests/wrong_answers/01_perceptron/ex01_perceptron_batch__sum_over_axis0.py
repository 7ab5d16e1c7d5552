# mistake: sums the products down the columns (axis=0): D outputs instead of N
# caught-by: visible
def perceptron_batch(x, w, b):
    """Perceptron outputs for a batch. x: (N, D), w: (D,), b: float -> int array (N,) of 0/1."""
    return (np.sum(x * w, axis=0) + b > 0).astype(np.int64)
