# mistake: sums over the batch instead of averaging over the N samples
# caught-by: visible
def mean_squared_error_ex(y, t):
    return float(0.5 * np.sum((np.asarray(y) - np.asarray(t)) ** 2))
