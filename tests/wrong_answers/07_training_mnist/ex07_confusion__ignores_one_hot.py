# mistake: ignores one-hot labels (indexes with the (N, C) rows directly)
# caught-by: visible
def confusion_matrix(y, t):
    """y: (N, C) scores; t: (N,) class indices or (N, C) one-hot. Returns (C, C) integer counts."""
    C = y.shape[1]
    pred = np.argmax(y, axis=1)
    cm = np.zeros((C, C), dtype=np.int64)
    for true, p in zip(np.asarray(t).astype(int), pred):
        cm[true, p] += 1
    return cm
