# mistake: sets the dropped units of the caller's x to 0 in place and returns x
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
            x[~self.mask] = 0
            return x
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask
