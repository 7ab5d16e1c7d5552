# mistake: uses the number 1e-4 instead of the argument h
# caught-by: visible
def numerical_diff(f, x, h=1e-4):
    """Central difference (f(x + h) - f(x - h)) / (2h) of the one-variable function f at x."""
    return (f(x + 1e-4) - f(x - 1e-4)) / (2 * 1e-4)
