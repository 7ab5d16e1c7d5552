# mistake: np.where(x > 0, 1.0, 0.0): floats where the text asks for integers
# caught-by: visible
def step_function(x):
    """Step function. x: array of any shape -> int array of the same shape (1 where x > 0, else 0)."""
    return np.where(np.asarray(x) > 0, 1.0, 0.0)
