# mistake: row sums without keepdims: the (N,) sums broadcast against the columns (or fail when N != D)
# caught-by: visible
def rows_sum_to_one(x):
    """Each row of x divided by its own sum. x: (N, D), rows with positive sums -> float array (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    return x / x.sum(axis=1)
