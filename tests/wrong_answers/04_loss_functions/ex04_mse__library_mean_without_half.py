# mistake: writes a library's MSE, the mean over the classes without the 1/2, instead of the book's formula
# caught-by: visible
def mean_squared_error_ex(y, t):
    return float(np.mean((np.asarray(y) - np.asarray(t)) ** 2))
