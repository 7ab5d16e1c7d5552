# mistake: transposes with the wrong axis order (0, 3, 2, 1): swaps the output's rows and columns
# caught-by: visible
def conv_forward(x, W, b, stride=1, pad=0):
    FN, C, FH, FW = W.shape
    N, C, H, W_ = x.shape
    out_h = (H + 2 * pad - FH) // stride + 1
    out_w = (W_ + 2 * pad - FW) // stride + 1
    col = convolution.im2col(x, FH, FW, stride, pad)
    out = col @ W.reshape(FN, -1).T + b
    return out.reshape(N, out_w, out_h, FN).transpose(0, 3, 2, 1)
