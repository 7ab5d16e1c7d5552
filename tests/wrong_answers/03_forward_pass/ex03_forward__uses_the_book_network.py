# mistake: ignores the network argument and always runs the book's network from init_network()
# caught-by: visible
def forward(network, x):
    net = init_network()
    z1 = sigmoid(x @ net["W1"] + net["b1"])
    z2 = sigmoid(z1 @ net["W2"] + net["b2"])
    return identity_function(z2 @ net["W3"] + net["b3"])
