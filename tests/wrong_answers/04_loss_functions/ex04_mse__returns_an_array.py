# mistake: returns each sample's value (an array) instead of their mean as a float
# caught-by: visible
def mean_squared_error_ex(y, t):
    return 0.5 * np.sum((np.asarray(y) - np.asarray(t)) ** 2, axis=-1)
