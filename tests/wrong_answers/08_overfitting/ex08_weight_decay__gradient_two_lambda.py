# mistake: the gradient of 0.5 * lambda * W**2 taken as 2 * lambda * W
# caught-by: visible
def add_weight_decay(loss, grads, params, weight_decay_lambda):
    '''Returns (loss + 0.5 * lambda * sum of every ||W||^2, {key: grad (+ lambda * W for the weights)}).'''
    penalty = 0.0
    new_grads = {}
    for key, grad in grads.items():
        if key.startswith('W'):
            penalty += 0.5 * weight_decay_lambda * np.sum(params[key] ** 2)
            new_grads[key] = grad + 2 * weight_decay_lambda * params[key]
        else:
            new_grads[key] = grad
    return loss + penalty, new_grads
