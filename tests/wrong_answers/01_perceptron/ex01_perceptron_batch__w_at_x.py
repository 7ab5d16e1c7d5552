# mistake: W @ x order: (D,) @ (N, D) fails when N != D
# caught-by: visible
def perceptron_batch(x, w, b):
    """Perceptron outputs for a batch. x: (N, D), w: (D,), b: float -> int array (N,) of 0/1."""
    return (np.asarray(w) @ np.asarray(x) + b > 0).astype(np.int64)
