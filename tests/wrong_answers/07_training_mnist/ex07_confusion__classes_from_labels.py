# mistake: the number of classes taken from the largest label or prediction, not from y.shape[1]
# caught-by: visible
def confusion_matrix(y, t):
    """y: (N, C) scores; t: (N,) class indices or (N, C) one-hot. Returns (C, C) integer counts."""
    pred = np.argmax(y, axis=1)
    t = np.asarray(t)
    if t.ndim == 2:
        t = np.argmax(t, axis=1)
    C = int(max(t.max(), pred.max())) + 1
    cm = np.zeros((C, C), dtype=np.int64)
    np.add.at(cm, (t, pred), 1)
    return cm
