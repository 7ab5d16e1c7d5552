# mistake: subtracts the maximum in place (a -= c), which changes the caller's array and fails for integers
# caught-by: visible
def log_softmax(a):
    a -= np.max(a, axis=-1, keepdims=True)
    return a - np.log(np.sum(np.exp(a), axis=-1, keepdims=True))
