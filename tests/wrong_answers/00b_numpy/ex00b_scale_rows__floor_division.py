# mistake: floor division // (integer results) instead of true division /
# caught-by: visible
def scale_rows(x):
    """Each row of x scaled to [0, 1] by its own min and max. x: (N, D), no constant row -> float array (N, D)."""
    low, high = x.min(axis=1, keepdims=True), x.max(axis=1, keepdims=True)
    return (x - low) // (high - low)
