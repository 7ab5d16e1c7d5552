# mistake: reads x's shape in channels-last order (N, H, W, C), so out_h and out_w come from the wrong axes
# caught-by: visible
def conv_forward(x, W, b, stride=1, pad=0):
    FN, C, FH, FW = W.shape
    N, H, W_, C = x.shape
    out_h = (H + 2 * pad - FH) // stride + 1
    out_w = (W_ + 2 * pad - FW) // stride + 1
    col = convolution.im2col(x, FH, FW, stride, pad)
    out = col @ W.reshape(FN, -1).T + b
    return out.reshape(N, out_h, out_w, FN).transpose(0, 3, 1, 2)
