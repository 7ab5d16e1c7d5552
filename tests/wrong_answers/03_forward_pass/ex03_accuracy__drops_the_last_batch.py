# mistake: loops over len(x) // batch_size full batches only, so the last, shorter batch is never counted
# caught-by: visible
def accuracy(predict_fn, x, t, batch_size=100):
    correct = 0
    n_batches = len(x) // batch_size
    for k in range(n_batches):
        y = predict_fn(x[k * batch_size:(k + 1) * batch_size])
        correct += int(np.sum(np.argmax(y, axis=1) == t[k * batch_size:(k + 1) * batch_size]))
    return correct / (n_batches * batch_size)
