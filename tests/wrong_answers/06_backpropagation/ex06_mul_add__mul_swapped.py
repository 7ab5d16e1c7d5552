# mistake: MulLayer.backward multiplies dout by the SAME input (dx = dout * x)
# caught-by: visible
class MulLayer:
    """out = x * y (numbers or arrays of one shape). backward(dout) -> (dx, dy)."""

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        return x * y

    def backward(self, dout):
        dx = dout * self.x
        dy = dout * self.y
        return dx, dy


class AddLayer:
    """out = x + y. backward(dout) -> (dx, dy)."""

    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        dx = dout * 1
        dy = dout * 1
        return dx, dy
