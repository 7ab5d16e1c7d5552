# mistake: writes the 0/1 values into x itself before converting
# caught-by: visible
def step_function(x):
    """Step function. x: array of any shape -> int array of the same shape (1 where x > 0, else 0)."""
    x[x > 0] = 1
    x[x <= 0] = 0
    return x.astype(np.int64)
