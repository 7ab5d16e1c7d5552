# mistake: nudges a copy of x, so an f that reads the array itself (lambda W: net.loss(x, t)) sees nothing
# caught-by: visible
def numerical_gradient(f, x, h=1e-4):
    """Central-difference gradient of the scalar function f at the float array x (any shape)."""
    x = x.copy()
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        tmp = x[idx]
        try:
            x[idx] = tmp + h
            fxh1 = f(x)
            x[idx] = tmp - h
            fxh2 = f(x)
        finally:
            x[idx] = tmp
        grad[idx] = (fxh1 - fxh2) / (2 * h)
    return grad
