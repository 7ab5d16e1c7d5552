# mistake: copies an integer list as it is (np.array(init_x) is an int array: integer arithmetic)
# caught-by: visible
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    """step_num steps of x <- x - lr * grad f(x) from init_x (any shape; not modified). Returns the final x (floats)."""
    x = np.array(init_x)
    for _ in range(step_num):
        x = x - lr * gradient.numerical_gradient(f, x)
    return x
