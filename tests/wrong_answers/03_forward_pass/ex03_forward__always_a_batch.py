# mistake: turns every input into a batch with np.atleast_2d, so one sample (D,) comes back as (1, C)
# caught-by: visible
def forward(network, x):
    x = np.atleast_2d(x)
    z1 = sigmoid(x @ network["W1"] + network["b1"])
    z2 = sigmoid(z1 @ network["W2"] + network["b2"])
    return identity_function(z2 @ network["W3"] + network["b3"])
