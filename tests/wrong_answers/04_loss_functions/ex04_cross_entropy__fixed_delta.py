# mistake: hard-codes 1e-7 and ignores the delta argument
# caught-by: visible
def cross_entropy_ex(y, t, delta=1e-7):
    y = np.asarray(y, dtype=float)
    t = np.asarray(t)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.ndim == 1 else t.reshape(1)
    if t.shape == y.shape:
        t = np.argmax(t, axis=1)
    N = y.shape[0]
    return float(-np.sum(np.log(y[np.arange(N), t] + 1e-7)) / N)
