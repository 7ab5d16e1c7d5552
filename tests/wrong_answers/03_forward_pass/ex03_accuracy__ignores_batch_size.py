# mistake: hard-codes batches of 100 and ignores the batch_size argument
# caught-by: visible
def accuracy(predict_fn, x, t, batch_size=100):
    correct = 0
    for i in range(0, len(x), 100):
        y = predict_fn(x[i:i + 100])
        correct += int(np.sum(np.argmax(y, axis=1) == t[i:i + 100]))
    return correct / len(x)
