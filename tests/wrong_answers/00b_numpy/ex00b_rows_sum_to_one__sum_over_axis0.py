# mistake: sums down the columns (axis=0) instead of along each row
# caught-by: visible
def rows_sum_to_one(x):
    """Each row of x divided by its own sum. x: (N, D), rows with positive sums -> float array (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    return x / x.sum(axis=0, keepdims=True)
