# mistake: copies the column convention of lecture notes, W @ x, into the book's row convention
# caught-by: visible
def forward(network, x):
    a1 = network["W1"] @ x + network["b1"]
    z1 = sigmoid(a1)
    a2 = network["W2"] @ z1 + network["b2"]
    z2 = sigmoid(a2)
    a3 = network["W3"] @ z2 + network["b3"]
    return identity_function(a3)
