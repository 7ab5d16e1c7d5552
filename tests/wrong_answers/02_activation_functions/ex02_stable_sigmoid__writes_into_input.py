# mistake: uses x itself as the output array (np.asarray returns the caller's float array)
# caught-by: visible
def sigmoid(x):
    """Sigmoid 1 / (1 + exp(-x)) without overflow. x: array of any shape -> float array of the same shape."""
    x = np.asarray(x, dtype=np.float64)
    pos = x >= 0
    x[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    x[~pos] = e / (1.0 + e)
    return x
