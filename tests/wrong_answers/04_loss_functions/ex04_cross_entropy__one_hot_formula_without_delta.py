# mistake: the one-hot formula without delta: 0 * log(0) = nan for every class with probability 0
# caught-by: visible
def cross_entropy_ex(y, t, delta=1e-7):
    y = np.asarray(y, dtype=float)
    t = np.asarray(t)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.ndim == 1 else t.reshape(1)
    if t.shape != y.shape:
        t = np.eye(y.shape[1])[t]
    return float(-np.sum(t * np.log(y)) / y.shape[0])
