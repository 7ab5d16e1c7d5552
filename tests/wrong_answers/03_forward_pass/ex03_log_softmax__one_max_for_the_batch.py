# mistake: subtracts one maximum for the whole batch; a row far below it underflows to log(0)
# caught-by: visible
def log_softmax(a):
    z = a - np.max(a)
    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))
