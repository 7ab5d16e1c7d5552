# mistake: skips the graph: returns dout * y * (1 - y) and stores no edge gradients
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
        return dout * self.y * (1.0 - self.y)
