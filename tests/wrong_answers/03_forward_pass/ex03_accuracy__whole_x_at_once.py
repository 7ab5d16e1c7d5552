# mistake: predict-style accuracy: one call on all of x, no batching (the exercise forbids it)
# caught-by: visible
def accuracy(predict_fn, x, t, batch_size=100):
    y = predict_fn(x)
    return float(np.mean(np.argmax(y, axis=1) == t))
