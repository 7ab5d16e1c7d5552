# mistake: no guard for constant columns: 0 / 0 gives nan and a warning
# caught-by: visible
def standardize_columns(x):
    """(x - column mean) / column std; constant columns become 0. x: (N, D) -> float array (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    return (x - x.mean(axis=0)) / x.std(axis=0)
