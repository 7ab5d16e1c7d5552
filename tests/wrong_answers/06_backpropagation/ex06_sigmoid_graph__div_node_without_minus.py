# mistake: the / node's local derivative written 1/c² (the minus forgotten)
# caught-by: visible
class SigmoidGraph:
    """The sigmoid as four nodes: a = -x, b = exp(a), c = 1 + b, y = 1 / c (any shape, element-wise).

    backward(dout) stores the gradients self.dc, self.db, self.da and returns dx (x's shape).
    """

    def forward(self, x):
        self.a = -x                 # the ×(−1) node
        self.b = np.exp(self.a)     # the exp node
        self.c = 1.0 + self.b       # the +1 node
        self.y = 1.0 / self.c       # the / node
        return self.y

    def backward(self, dout):
        self.dc = dout * (1.0 / self.c ** 2)     # / node: d(1/c)/dc = -1/c²
        self.db = self.dc * 1.0                    # +1 node: passes it on
        self.da = self.db * self.b                 # exp node: d exp(a)/da = exp(a) = b
        dx = self.da * -1.0                        # ×(−1) node
        return dx
