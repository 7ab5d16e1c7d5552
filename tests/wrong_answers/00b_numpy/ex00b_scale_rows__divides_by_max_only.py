# mistake: divides by each row's max and forgets to subtract the min
# caught-by: visible
def scale_rows(x):
    """Each row of x scaled to [0, 1] by its own min and max. x: (N, D), no constant row -> float array (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    return x / x.max(axis=1, keepdims=True)
