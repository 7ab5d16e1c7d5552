# mistake: restores by adding h back (x - h + h is not always exactly x) instead of assigning the saved value
# caught-by: visible
def numerical_gradient(f, x, h=1e-4):
    """Central-difference gradient of the scalar function f at the float array x (any shape)."""
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        try:
            x[idx] += h
            fxh1 = f(x)
            x[idx] -= 2 * h
            fxh2 = f(x)
        finally:
            x[idx] += h
        grad[idx] = (fxh1 - fxh2) / (2 * h)
    return grad
