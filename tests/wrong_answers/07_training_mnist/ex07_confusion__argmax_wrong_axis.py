# mistake: argmax over the wrong axis (axis=0: one 'prediction' per class instead of per sample)
# caught-by: visible
def confusion_matrix(y, t):
    """y: (N, C) scores; t: (N,) class indices or (N, C) one-hot. Returns (C, C) integer counts."""
    C = y.shape[1]
    pred = np.argmax(y, axis=0)
    t = np.asarray(t)
    if t.ndim == 2:
        t = np.argmax(t, axis=1)
    cm = np.zeros((C, C), dtype=np.int64)
    for i in range(min(len(t), len(pred))):
        cm[t[i], pred[i]] += 1
    return cm
