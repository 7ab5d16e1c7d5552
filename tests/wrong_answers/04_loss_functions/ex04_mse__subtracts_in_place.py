# mistake: computes the difference in place (y -= t), which changes the caller's predictions
# caught-by: visible
def mean_squared_error_ex(y, t):
    y -= t
    if y.ndim == 1:
        return float(0.5 * np.sum(y ** 2))
    return float(0.5 * np.sum(y ** 2) / y.shape[0])
