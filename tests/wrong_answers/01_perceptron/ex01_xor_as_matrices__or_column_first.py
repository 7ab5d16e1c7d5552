# mistake: OR in column 0 and NAND in column 1 (the text asks NAND first)
# caught-by: visible
def two_layer_perceptron(x, W1, b1, w2, b2):
    """x: (N, D); W1: (D, H), b1: (H,); w2: (H,), b2: number -> int array (N,) of 0/1."""
    s = (np.asarray(x) @ W1 + b1 > 0).astype(np.int64)
    return (s @ w2 + b2 > 0).astype(np.int64)


def xor_weights():
    """(W1, b1, w2, b2) for XOR: W1 (2, 2) with columns NAND, OR; b1 (2,); w2 (2,) and b2 of AND."""
    W1 = np.array([[0.5, -0.5],
                   [0.5, -0.5]])
    b1 = np.array([-0.2, 0.7])
    w2 = np.array([0.5, 0.5])
    b2 = -0.7
    return W1, b1, w2, b2
