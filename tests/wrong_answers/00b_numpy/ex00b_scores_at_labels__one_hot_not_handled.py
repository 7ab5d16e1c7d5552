# mistake: only class indices handled: one-hot labels are used as indices as they are
# caught-by: visible
def scores_at_labels(y, t):
    """y: (N, C) scores; t: (N,) class indices or (N, C) one-hot -> (N,) array with y[k, t[k]]."""
    return y[np.arange(len(y)), t]
