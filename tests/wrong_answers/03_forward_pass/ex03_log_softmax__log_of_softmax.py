# mistake: takes np.log of the probabilities; a probability that rounds to 0 gives -inf (and a warning)
# caught-by: visible
def log_softmax(a):
    return np.log(softmax(a))
