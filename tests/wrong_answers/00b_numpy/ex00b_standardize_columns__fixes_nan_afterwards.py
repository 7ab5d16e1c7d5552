# mistake: divides by zero first and replaces the nan afterwards (the warning still fires)
# caught-by: visible
def standardize_columns(x):
    """(x - column mean) / column std; constant columns become 0. x: (N, D) -> float array (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    out = (x - x.mean(axis=0)) / x.std(axis=0)
    out[np.isnan(out)] = 0.0
    return out
