# mistake: sums over the whole array instead of each row (no axis)
# caught-by: visible
def log_softmax(a):
    z = a - np.max(a, axis=-1, keepdims=True)
    return z - np.log(np.sum(np.exp(z)))
