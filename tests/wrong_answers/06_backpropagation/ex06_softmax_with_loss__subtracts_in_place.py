# mistake: subtracts 1 at the right classes in self.y itself (the book's index form without copy)
# caught-by: visible
class SoftmaxWithLoss:
    """Softmax + mean cross-entropy. forward(x (N, C), t (N,) or (N, C)) -> loss; backward(dout=1) -> (N, C)."""

    def __init__(self):
        self.y = None
        self.t = None
        self.loss = None

    def forward(self, x, t):
        self.t = t                                  # as given: indices (N,) or one-hot (N, C)
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        N, C = self.y.shape
        t = np.asarray(self.t)
        idx = t if t.ndim == 1 else t.argmax(axis=1)
        dx = self.y
        dx[np.arange(N), idx] -= 1
        return dout * dx / N
