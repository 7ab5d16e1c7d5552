# mistake: walks the output positions column by column (c outer, r inner), so the rows come in the wrong order
# caught-by: visible
def im2col_1ch(img, filter_h, filter_w, stride=1, pad=0):
    img = np.pad(img, pad)
    H, W = img.shape
    out_h = (H - filter_h) // stride + 1
    out_w = (W - filter_w) // stride + 1
    rows = []
    for c in range(out_w):
        for r in range(out_h):
            rows.append(img[r * stride:r * stride + filter_h, c * stride:c * stride + filter_w].ravel())
    return np.array(rows)
