# mistake: forgets the sigmoid after the second layer
# caught-by: visible
def predict(network, x):
    z1 = sigmoid(x @ network["W1"] + network["b1"])
    a2 = z1 @ network["W2"] + network["b2"]
    return softmax(a2 @ network["W3"] + network["b3"])
