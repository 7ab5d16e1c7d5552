# mistake: y[t] picks whole rows (row number = label) instead of one entry per row
# caught-by: visible
def scores_at_labels(y, t):
    """y: (N, C) scores; t: (N,) class indices or (N, C) one-hot -> (N,) array with y[k, t[k]]."""
    t = np.asarray(t)
    if t.ndim == 2:
        t = t.argmax(axis=1)
    return y[t]
