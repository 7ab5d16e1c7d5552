# mistake: assigns the gradient into dx (dx[...] = ...) instead of adding it, so overlapping windows lose gradients
# caught-by: visible
class MaxPooling:
    '''Max pooling without padding: forward (N, C, H, W) -> (N, C, out_h, out_w); backward routes dout to the maxima.'''

    def __init__(self, pool_h, pool_w, stride):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.x = None

    def forward(self, x):
        N, C, H, W = x.shape
        ph, pw, s = self.pool_h, self.pool_w, self.stride
        out_h, out_w = (H - ph) // s + 1, (W - pw) // s + 1
        out = np.zeros((N, C, out_h, out_w), dtype=x.dtype)
        for i in range(out_h):
            for j in range(out_w):
                out[:, :, i, j] = x[:, :, i * s:i * s + ph, j * s:j * s + pw].max(axis=(2, 3))
        self.x = x
        return out

    def backward(self, dout):
        N, C, H, W = self.x.shape
        ph, pw, s = self.pool_h, self.pool_w, self.stride
        dx = np.zeros(self.x.shape)
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                window = self.x[:, :, i * s:i * s + ph, j * s:j * s + pw]
                is_max = window == window.max(axis=(2, 3), keepdims=True)
                dx[:, :, i * s:i * s + ph, j * s:j * s + pw] = is_max * dout[:, :, i:i + 1, j:j + 1]
        return dx
