# mistake: divides by the sum of the whole array (no axis)
# caught-by: visible
def rows_sum_to_one(x):
    """Each row of x divided by its own sum. x: (N, D), rows with positive sums -> float array (N, D)."""
    return x / np.sum(x)
