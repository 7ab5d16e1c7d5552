# mistake: the textbook formula: np.exp(-x) overflows at x = -1000
# caught-by: visible
def sigmoid(x):
    """Sigmoid 1 / (1 + exp(-x)) without overflow. x: array of any shape -> float array of the same shape."""
    return 1 / (1 + np.exp(-x))
