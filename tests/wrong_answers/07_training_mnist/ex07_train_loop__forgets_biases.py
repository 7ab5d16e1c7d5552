# mistake: updates only the weights W1, W2 and forgets the biases
# caught-by: visible
def train_sgd(x, t, hidden_size, lr, batch_size, epochs, seed=0):
    """Mini-batch SGD on x (N, D) with labels t (N,). Returns (params, losses)."""
    network = TwoLayerNet(x.shape[1], hidden_size, int(t.max()) + 1, weight_init_std="he", seed=seed)
    rng = np.random.default_rng(seed)
    N = x.shape[0]
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(N)
        for i in range(0, N, batch_size):
            idx = order[i:i + batch_size]
            grads = network.gradient(x[idx], t[idx])
            losses.append(network.last_layer.loss)
            for key in ('W1', 'W2'):
                network.params[key] -= lr * grads[key]
    return network.params, losses
