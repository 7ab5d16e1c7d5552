# mistake: loops over the images one by one (the book's first version) instead of slices of batch_size
# caught-by: visible
def accuracy(predict_fn, x, t, batch_size=100):
    correct = 0
    for i in range(len(x)):
        if np.argmax(predict_fn(x[i])) == t[i]:
            correct += 1
    return correct / len(x)
