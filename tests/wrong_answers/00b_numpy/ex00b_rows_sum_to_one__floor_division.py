# mistake: floor division // (integer results) instead of true division /
# caught-by: visible
def rows_sum_to_one(x):
    """Each row of x divided by its own sum. x: (N, D), rows with positive sums -> float array (N, D)."""
    return x // x.sum(axis=1, keepdims=True)
