# mistake: db gets the shape (N,) instead of b's shape (H,)
# caught-by: visible
def affine_shapes(x_shape, W_shape):
    """Shapes in an Affine layer out = x @ W + b.

    x_shape: (N, D) or (N, d1, d2, ...) with d1 * d2 * ... = D; W_shape: (D, H).
    Returns {'out': ..., 'dx': ..., 'dW': ..., 'db': ...} (tuples). Raises ValueError when D does not fit W.
    """
    N, D = x_shape[0], int(np.prod(x_shape[1:]))
    if W_shape[0] != D:
        raise ValueError(f"affine_shapes: x has shape {tuple(x_shape)} ({D} numbers per sample) but W has shape "
                         f"{tuple(W_shape)}; W's first dimension must be {D}")
    H = W_shape[1]
    return {"out": (N, H), "dx": tuple(x_shape), "dW": tuple(W_shape), "db": (N,)}
