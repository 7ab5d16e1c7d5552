# mistake: handles one-hot labels only, so index labels are broadcast into t * log(y) (silently wrong when N == C)
# caught-by: visible
def cross_entropy_ex(y, t, delta=1e-7):
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        return float(-np.sum(t * np.log(y + delta)))
    return float(-np.sum(t * np.log(y + delta)) / y.shape[0])
