# mistake: returns the number of right answers instead of the fraction
# caught-by: visible
def accuracy(predict_fn, x, t, batch_size=100):
    correct = 0
    for i in range(0, len(x), batch_size):
        y = predict_fn(x[i:i + batch_size])
        correct += int(np.sum(np.argmax(y, axis=1) == t[i:i + batch_size]))
    return correct
