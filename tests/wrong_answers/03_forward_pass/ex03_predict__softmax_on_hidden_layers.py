# mistake: uses softmax as the activation of every layer
# caught-by: visible
def predict(network, x):
    z1 = softmax(x @ network["W1"] + network["b1"])
    z2 = softmax(z1 @ network["W2"] + network["b2"])
    return softmax(z2 @ network["W3"] + network["b3"])
