# mistake: catches f's exception and carries on (the caller never learns that f failed)
# caught-by: visible
def numerical_gradient(f, x, h=1e-4):
    """Central-difference gradient of the scalar function f at the float array x (any shape)."""
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        tmp = x[idx]
        try:
            x[idx] = tmp + h
            fxh1 = f(x)
            x[idx] = tmp - h
            fxh2 = f(x)
            grad[idx] = (fxh1 - fxh2) / (2 * h)
        except Exception:
            grad[idx] = 0.0
        finally:
            x[idx] = tmp
    return grad
