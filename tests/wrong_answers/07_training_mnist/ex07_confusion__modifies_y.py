# mistake: softmax-normalises y in place first (a habit from the loss), which changes the caller's scores
# caught-by: visible
def confusion_matrix(y, t):
    """y: (N, C) scores; t: (N,) class indices or (N, C) one-hot. Returns (C, C) integer counts."""
    C = y.shape[1]
    y -= y.max(axis=1, keepdims=True)
    pred = np.argmax(y, axis=1)
    t = np.asarray(t)
    if t.ndim == 2:
        t = np.argmax(t, axis=1)
    cm = np.zeros((C, C), dtype=np.int64)
    np.add.at(cm, (t, pred), 1)
    return cm
