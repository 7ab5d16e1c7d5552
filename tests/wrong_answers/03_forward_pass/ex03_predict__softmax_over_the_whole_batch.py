# mistake: writes its own softmax with np.sum over the whole batch, so the batch sums to 1, not each row
# caught-by: visible
def predict(network, x):
    z1 = sigmoid(x @ network["W1"] + network["b1"])
    z2 = sigmoid(z1 @ network["W2"] + network["b2"])
    a3 = z2 @ network["W3"] + network["b3"]
    return np.exp(a3) / np.sum(np.exp(a3))
