# mistake: row min and max without keepdims: the (N,) results broadcast against the columns (or fail when N != D)
# caught-by: visible
def scale_rows(x):
    """Each row of x scaled to [0, 1] by its own min and max. x: (N, D), no constant row -> float array (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    return (x - x.min(axis=1)) / (x.max(axis=1) - x.min(axis=1))
