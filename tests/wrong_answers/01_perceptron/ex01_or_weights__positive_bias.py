# mistake: a positive bias (the threshold written as +theta), so the perceptron fires for (0, 0)
# caught-by: visible
def or_gate(x1, x2):
    """OR of two inputs (0 or 1) as a perceptron. Returns the int 0 or 1."""
    x = np.array([x1, x2])
    w = np.array([0.5, 0.5])
    b = 0.2
    return 1 if np.sum(w * x) + b > 0 else 0
