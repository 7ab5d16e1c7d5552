# mistake: takes the row maxima and sums without keepdims=True, so (N,) does not broadcast against (N, C)
# caught-by: visible
def log_softmax(a):
    z = a - np.max(a, axis=-1)
    return z - np.log(np.sum(np.exp(z), axis=-1))
