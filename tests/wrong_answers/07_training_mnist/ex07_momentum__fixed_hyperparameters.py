# mistake: fixed numbers instead of self.lr and self.momentum
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
            self.v[key] = 0.9 * self.v[key] - 0.1 * grads[key]
            params[key] += self.v[key]
