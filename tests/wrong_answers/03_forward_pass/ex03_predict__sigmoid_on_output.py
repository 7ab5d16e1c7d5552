# mistake: sigmoid after the last layer as well, so the rows are not probabilities that sum to 1
# caught-by: visible
def predict(network, x):
    z1 = sigmoid(x @ network["W1"] + network["b1"])
    z2 = sigmoid(z1 @ network["W2"] + network["b2"])
    return sigmoid(z2 @ network["W3"] + network["b3"])
