# mistake: uses the log-sum-exp form but forgets to subtract the maximum: exp(1010) overflows
# caught-by: visible
def log_softmax(a):
    return a - np.log(np.sum(np.exp(a), axis=-1, keepdims=True))
