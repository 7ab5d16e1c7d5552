# mistake: shifts and scales in place: np.asarray returns the caller's float array, which is overwritten
# caught-by: visible
def scale_rows(x):
    """Each row of x scaled to [0, 1] by its own min and max. x: (N, D), no constant row -> float array (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    x -= x.min(axis=1, keepdims=True)
    x /= x.max(axis=1, keepdims=True)
    return x
