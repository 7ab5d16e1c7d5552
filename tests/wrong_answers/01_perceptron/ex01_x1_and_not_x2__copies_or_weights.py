# mistake: copies OR's weights from section 2: (1, 1) and (0, 1) fire too
# caught-by: visible
def x1_and_not_x2(x1, x2):
    """1 only for the input (1, 0), as a perceptron. x1, x2: 0 or 1 -> the int 0 or 1."""
    x = np.array([x1, x2])
    w = np.array([0.5, 0.5])
    b = -0.2
    return 1 if np.sum(w * x) + b > 0 else 0
