# mistake: np.where with both formulas: np.where computes np.exp(1000) anyway
# caught-by: visible
def sigmoid(x):
    """Sigmoid 1 / (1 + exp(-x)) without overflow. x: array of any shape -> float array of the same shape."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
