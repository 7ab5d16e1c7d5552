# mistake: nudges by the number 1e-4 instead of the argument h
# caught-by: visible
def numerical_gradient(f, x, h=1e-4):
    """Central-difference gradient of the scalar function f at the float array x (any shape)."""
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        tmp = x[idx]
        try:
            x[idx] = tmp + 1e-4
            fxh1 = f(x)
            x[idx] = tmp - 1e-4
            fxh2 = f(x)
        finally:
            x[idx] = tmp
        grad[idx] = (fxh1 - fxh2) / (2 * 1e-4)
    return grad
