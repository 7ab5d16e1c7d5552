# mistake: divides in place: np.asarray returns the caller's float array itself, and /= writes into it
# caught-by: visible
def rows_sum_to_one(x):
    """Each row of x divided by its own sum. x: (N, D), rows with positive sums -> float array (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    x /= x.sum(axis=1, keepdims=True)
    return x
