# mistake: returns floats 0.0 / 1.0 (np.where with float values) where the text asks for ints
# caught-by: visible
def perceptron_batch(x, w, b):
    """Perceptron outputs for a batch. x: (N, D), w: (D,), b: float -> int array (N,) of 0/1."""
    return np.where(np.asarray(x) @ np.asarray(w) + b > 0, 1.0, 0.0)
