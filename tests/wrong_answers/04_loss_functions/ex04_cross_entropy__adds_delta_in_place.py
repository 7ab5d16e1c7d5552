# mistake: adds delta in place (y += delta), which changes the caller's probabilities
# caught-by: visible
def cross_entropy_ex(y, t, delta=1e-7):
    y += delta
    t = np.asarray(t)
    if y.ndim == 1:
        y2, t2 = y.reshape(1, -1), (t.reshape(1, -1) if t.ndim == 1 else t.reshape(1))
    else:
        y2, t2 = y, t
    if t2.shape == y2.shape:
        t2 = np.argmax(t2, axis=1)
    N = y2.shape[0]
    return float(-np.sum(np.log(y2[np.arange(N), t2])) / N)
