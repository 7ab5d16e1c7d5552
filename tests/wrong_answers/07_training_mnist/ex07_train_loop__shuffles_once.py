# mistake: shuffles once before the epoch loop: every epoch walks through the same order
# caught-by: visible
def train_sgd(x, t, hidden_size, lr, batch_size, epochs, seed=0):
    """Mini-batch SGD on x (N, D) with labels t (N,). Returns (params, losses)."""
    network = TwoLayerNet(x.shape[1], hidden_size, int(t.max()) + 1, weight_init_std="he", seed=seed)
    rng = np.random.default_rng(seed)
    N = x.shape[0]
    order = rng.permutation(N)
    losses = []
    for epoch in range(epochs):
        for i in range(0, N, batch_size):
            idx = order[i:i + batch_size]
            grads = network.gradient(x[idx], t[idx])
            losses.append(network.last_layer.loss)
            for key in network.params:
                network.params[key] -= lr * grads[key]
    return network.params, losses
