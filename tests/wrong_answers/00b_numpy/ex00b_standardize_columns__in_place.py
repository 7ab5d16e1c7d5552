# mistake: subtracts and divides in place: np.asarray returns the caller's float array, which gets overwritten
# caught-by: visible
def standardize_columns(x):
    """(x - column mean) / column std; constant columns become 0. x: (N, D) -> float array (N, D)."""
    x = np.asarray(x, dtype=np.float64)
    x -= x.mean(axis=0)
    std = x.std(axis=0)
    x[:, std > 0] /= std[std > 0]
    return x
