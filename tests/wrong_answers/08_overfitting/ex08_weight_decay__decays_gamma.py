# mistake: decays everything that is not a bias, batch norm's gamma and beta included
# caught-by: visible
def add_weight_decay(loss, grads, params, weight_decay_lambda):
    '''Returns (loss + 0.5 * lambda * sum of every ||W||^2, {key: grad (+ lambda * W for the weights)}).'''
    penalty = 0.0
    new_grads = {}
    for key, grad in grads.items():
        if not key.startswith('b'):
            penalty += 0.5 * weight_decay_lambda * np.sum(params[key] ** 2)
            new_grads[key] = grad + weight_decay_lambda * params[key]
        else:
            new_grads[key] = grad
    return loss + penalty, new_grads
