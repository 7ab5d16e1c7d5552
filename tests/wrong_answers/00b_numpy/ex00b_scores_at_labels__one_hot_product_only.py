# mistake: the one-hot trick sum(y * t) used for both label forms (class indices broadcast wrongly or fail)
# caught-by: visible
def scores_at_labels(y, t):
    """y: (N, C) scores; t: (N,) class indices or (N, C) one-hot -> (N,) array with y[k, t[k]]."""
    return np.sum(y * t, axis=1)
