# mistake: min and max of the whole array (no axis)
# caught-by: visible
def scale_rows(x):
    """Each row of x scaled to [0, 1] by its own min and max. x: (N, D), no constant row -> float array (N, D)."""
    return (x - np.min(x)) / (np.max(x) - np.min(x))
