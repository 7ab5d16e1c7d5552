# mistake: shuffles the caller's x and t in place (x[:] = x[order]) instead of shuffling indices
# caught-by: visible
def train_sgd(x, t, hidden_size, lr, batch_size, epochs, seed=0):
    """Mini-batch SGD on x (N, D) with labels t (N,). Returns (params, losses)."""
    network = TwoLayerNet(x.shape[1], hidden_size, int(t.max()) + 1, weight_init_std="he", seed=seed)
    rng = np.random.default_rng(seed)
    N = x.shape[0]
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(N)
        x[:] = x[order]
        t[:] = t[order]
        for i in range(0, N, batch_size):
            grads = network.gradient(x[i:i + batch_size], t[i:i + batch_size])
            losses.append(network.last_layer.loss)
            for key in network.params:
                network.params[key] -= lr * grads[key]
    return network.params, losses
