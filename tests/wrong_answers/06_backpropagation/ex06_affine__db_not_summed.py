# mistake: db = dout, shape (N, H)
# caught-by: visible
class Affine:
    """out = x @ W + b. W: (D, H), b: (H,). forward: x (N, D) -> (N, H). backward: dout (N, H) -> dx (N, D)."""

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        dx = dout @ self.W.T
        self.dW = self.x.T @ dout
        self.db = dout
        return dx
