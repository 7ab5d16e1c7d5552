# mistake: backward passes dout through unchanged (dropped units still get a gradient)
# caught-by: visible
class Dropout:
    '''Dropout layer. forward(x, train_flg=True): x (any shape) -> same shape; backward(dout) -> dx (same shape).'''

    def __init__(self, dropout_ratio=0.5, seed=0):
        self.dropout_ratio = dropout_ratio
        self.rng = np.random.default_rng(seed)
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = self.rng.random(x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout
