# mistake: np.where(std > 0, (x - mean) / std, 0) -- np.where computes the division everywhere first
# caught-by: visible
def standardize_columns(x):
    """(x - column mean) / column std; constant columns become 0. x: (N, D) -> float array (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0)
    return np.where(std > 0, (x - mean) / std, 0.0)
