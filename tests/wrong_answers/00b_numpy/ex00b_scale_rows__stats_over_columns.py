# mistake: min and max down the columns (axis=0) instead of along each row
# caught-by: visible
def scale_rows(x):
    """Each row of x scaled to [0, 1] by its own min and max. x: (N, D), no constant row -> float array (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    low, high = x.min(axis=0, keepdims=True), x.max(axis=0, keepdims=True)
    return (x - low) / (high - low)
