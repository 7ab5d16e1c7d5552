# mistake: handles index labels only: one-hot rows are used as indices
# caught-by: visible
def cross_entropy_ex(y, t, delta=1e-7):
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        return float(-np.log(y[t] + delta))
    N = y.shape[0]
    return float(-np.sum(np.log(y[np.arange(N), t] + delta)) / N)
