# mistake: forgets that the loss is a mean: returns dout * (y - t)
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
        t_onehot = np.eye(C)[t] if t.ndim == 1 else t
        return dout * (self.y - t_onehot)
