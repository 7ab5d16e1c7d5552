# mistake: one-hot rows turned into indices with argmax over axis 0 (down the columns) instead of axis 1
# caught-by: visible
def scores_at_labels(y, t):
    """y: (N, C) scores; t: (N,) class indices or (N, C) one-hot -> (N,) array with y[k, t[k]]."""
    t = np.asarray(t)
    if t.ndim == 2:
        t = t.argmax(axis=0)
    return y[np.arange(len(t)), t]
