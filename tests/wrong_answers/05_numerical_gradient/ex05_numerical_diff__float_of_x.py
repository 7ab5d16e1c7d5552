# mistake: converts x with float(), so an array x raises instead of working element-wise
# caught-by: visible
def numerical_diff(f, x, h=1e-4):
    """Central difference (f(x + h) - f(x - h)) / (2h) of the one-variable function f at x."""
    x = float(x)
    return (f(x + h) - f(x - h)) / (2 * h)
