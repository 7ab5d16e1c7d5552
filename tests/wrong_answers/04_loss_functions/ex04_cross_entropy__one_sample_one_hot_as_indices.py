# mistake: treats every 1-D t as indices, so one sample's one-hot label (C,) is used to index y
# caught-by: visible
def cross_entropy_ex(y, t, delta=1e-7):
    y = np.asarray(y, dtype=float)
    t = np.asarray(t)
    if t.ndim == 2:
        t = np.argmax(t, axis=1)
    if y.ndim == 1:
        return float(-np.log(y[t] + delta))
    N = y.shape[0]
    return float(-np.sum(np.log(y[np.arange(N), t] + delta)) / N)
