# mistake: log of the naive softmax, without subtracting the maximum: exp(1010) overflows
# caught-by: visible
def log_softmax(a):
    e = np.exp(a)
    return np.log(e / np.sum(e, axis=-1, keepdims=True))
