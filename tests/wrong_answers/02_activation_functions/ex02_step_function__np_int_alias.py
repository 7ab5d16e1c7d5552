# mistake: the book's original astype(np.int), removed in NumPy 1.24
# caught-by: visible
def step_function(x):
    """Step function. x: array of any shape -> int array of the same shape (1 where x > 0, else 0)."""
    return (np.asarray(x) > 0).astype(np.int)
