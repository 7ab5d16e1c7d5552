# mistake: wrong sign: W -= v with v = momentum * v - lr * g (climbs uphill)
# caught-by: visible
class MyMomentum:
    """params[key] += v[key] after v[key] = momentum * v[key] - lr * grads[key]; v starts at 0."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params:
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] -= self.v[key]
