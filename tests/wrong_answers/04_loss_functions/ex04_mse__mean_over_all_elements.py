# mistake: averages over the classes as well as the samples (np.mean over all N * C elements)
# caught-by: visible
def mean_squared_error_ex(y, t):
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        return float(0.5 * np.sum((y - t) ** 2))
    return float(0.5 * np.mean((y - t) ** 2))
