# mistake: np.empty_like(x) of an int array holds ints: the sigmoid values are cut to integers
# caught-by: visible
def sigmoid(x):
    """Sigmoid 1 / (1 + exp(-x)) without overflow. x: array of any shape -> float array of the same shape."""
    x = np.asarray(x)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out
