# mistake: divides by 2 and then multiplies by h: `/ 2 * h` instead of `/ (2 * h)`
# caught-by: visible
def numerical_diff(f, x, h=1e-4):
    """Central difference (f(x + h) - f(x - h)) / (2h) of the one-variable function f at x."""
    return (f(x + h) - f(x - h)) / 2 * h
