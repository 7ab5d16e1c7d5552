# mistake: forgets the bias of the output layer
# caught-by: visible
def forward(network, x):
    z1 = sigmoid(x @ network["W1"] + network["b1"])
    z2 = sigmoid(z1 @ network["W2"] + network["b2"])
    return identity_function(z2 @ network["W3"])
