# mistake: the sample standard deviation (ddof=1) instead of NumPy's default the text asks for
# caught-by: visible
def standardize_columns(x):
    """(x - column mean) / column std; constant columns become 0. x: (N, D) -> float array (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    std = x.std(axis=0, ddof=1)
    return (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)
