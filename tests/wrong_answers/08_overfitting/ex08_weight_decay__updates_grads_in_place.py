# mistake: adds lambda * W into the caller's gradient arrays (grads[key] += ...) and returns grads
# caught-by: visible
def add_weight_decay(loss, grads, params, weight_decay_lambda):
    '''Returns (loss + 0.5 * lambda * sum of every ||W||^2, {key: grad (+ lambda * W for the weights)}).'''
    penalty = 0.0
    for key in grads:
        if key.startswith('W'):
            penalty += 0.5 * weight_decay_lambda * np.sum(params[key] ** 2)
            grads[key] += weight_decay_lambda * params[key]
    return loss + penalty, grads
