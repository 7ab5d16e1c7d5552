# mistake: moves the filter one pixel at a time whatever the stride (patch at r, c instead of r*stride, c*stride)
# caught-by: visible
def im2col_1ch(img, filter_h, filter_w, stride=1, pad=0):
    img = np.pad(img, pad)
    H, W = img.shape
    out_h = (H - filter_h) // stride + 1
    out_w = (W - filter_w) // stride + 1
    col = np.zeros((out_h * out_w, filter_h * filter_w))
    for r in range(out_h):
        for c in range(out_w):
            col[r * out_w + c] = img[r:r + filter_h, c:c + filter_w].ravel()
    return col
