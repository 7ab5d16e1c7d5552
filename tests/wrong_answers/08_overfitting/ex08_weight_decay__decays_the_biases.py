# mistake: decays every parameter, biases included
# caught-by: visible
def add_weight_decay(loss, grads, params, weight_decay_lambda):
    '''Returns (loss + 0.5 * lambda * sum of every ||W||^2, {key: grad (+ lambda * W for the weights)}).'''
    penalty = 0.0
    new_grads = {}
    for key, grad in grads.items():
        penalty += 0.5 * weight_decay_lambda * np.sum(params[key] ** 2)
        new_grads[key] = grad + weight_decay_lambda * params[key]
    return loss + penalty, new_grads
