# mistake: multiplies x by w in place, overwriting the caller's batch
# caught-by: visible
def perceptron_batch(x, w, b):
    """Perceptron outputs for a batch. x: (N, D), w: (D,), b: float -> int array (N,) of 0/1."""
    x *= w
    return (x.sum(axis=1) + b > 0).astype(np.int64)
