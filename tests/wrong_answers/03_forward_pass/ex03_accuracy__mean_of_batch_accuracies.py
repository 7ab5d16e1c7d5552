# mistake: averages the per-batch accuracies, so the short last batch weighs as much as a full one
# caught-by: visible
def accuracy(predict_fn, x, t, batch_size=100):
    accs = []
    for i in range(0, len(x), batch_size):
        y = predict_fn(x[i:i + batch_size])
        accs.append(np.mean(np.argmax(y, axis=1) == t[i:i + batch_size]))
    return float(np.mean(accs))
