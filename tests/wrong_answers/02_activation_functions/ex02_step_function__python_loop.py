# mistake: a Python loop over the entries: works on 1-D arrays only
# caught-by: visible
def step_function(x):
    """Step function. x: array of any shape -> int array of the same shape (1 where x > 0, else 0)."""
    return np.array([1 if v > 0 else 0 for v in x])
