# mistake: works on the caller's array (x = init_x), so the starting point is lost
# caught-by: visible
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    """step_num steps of x <- x - lr * grad f(x) from init_x (any shape; not modified). Returns the final x (floats)."""
    x = init_x
    for _ in range(step_num):
        x -= lr * gradient.numerical_gradient(f, x)
    return x
