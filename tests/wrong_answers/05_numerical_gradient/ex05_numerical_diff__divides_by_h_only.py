# mistake: divides the central difference by h instead of 2h (twice the slope)
# caught-by: visible
def numerical_diff(f, x, h=1e-4):
    """Central difference (f(x + h) - f(x - h)) / (2h) of the one-variable function f at x."""
    return (f(x + h) - f(x - h)) / h
