# mistake: math.exp in a loop over the entries: works on 1-D arrays only
# caught-by: visible
def sigmoid(x):
    """Sigmoid 1 / (1 + exp(-x)) without overflow. x: array of any shape -> float array of the same shape."""
    import math
    return np.array([1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v)) for v in x])
