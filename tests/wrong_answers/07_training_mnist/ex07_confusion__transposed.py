# mistake: rows and columns swapped: cm[pred, t]
# caught-by: visible
def confusion_matrix(y, t):
    """y: (N, C) scores; t: (N,) class indices or (N, C) one-hot. Returns (C, C) integer counts."""
    C = y.shape[1]
    pred = np.argmax(y, axis=1)
    t = np.asarray(t)
    if t.ndim == 2:
        t = np.argmax(t, axis=1)
    cm = np.zeros((C, C), dtype=np.int64)
    np.add.at(cm, (pred, t), 1)
    return cm
