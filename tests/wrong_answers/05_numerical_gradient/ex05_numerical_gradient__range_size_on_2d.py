# mistake: the book's 1-D loop `for i in range(x.size)` with x[i], which visits rows of a 2-D array
# caught-by: visible
def numerical_gradient(f, x, h=1e-4):
    """Central-difference gradient of the scalar function f at the float array x (any shape)."""
    grad = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        tmp = x[i]
        try:
            x[i] = tmp + h
            fxh1 = f(x)
            x[i] = tmp - h
            fxh2 = f(x)
        finally:
            x[i] = tmp
        grad[i] = (fxh1 - fxh2) / (2 * h)
    return grad
