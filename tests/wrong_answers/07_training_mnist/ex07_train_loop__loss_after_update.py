# mistake: records the loss after the update, as the book's train_neuralnet.py does
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
            for key in network.params:
                network.params[key] -= lr * grads[key]
            losses.append(network.loss(x[idx], t[idx]))
    return network.params, losses
