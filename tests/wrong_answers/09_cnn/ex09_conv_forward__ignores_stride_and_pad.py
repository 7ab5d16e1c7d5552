# mistake: calls im2col without stride and pad (and sizes the output without them)
# caught-by: visible
def conv_forward(x, W, b, stride=1, pad=0):
    FN, C, FH, FW = W.shape
    N, C, H, W_ = x.shape
    out_h, out_w = H - FH + 1, W_ - FW + 1
    col = convolution.im2col(x, FH, FW)
    out = col @ W.reshape(FN, -1).T + b
    return out.reshape(N, out_h, out_w, FN).transpose(0, 3, 1, 2)
