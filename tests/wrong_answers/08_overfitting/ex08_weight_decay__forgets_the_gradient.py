# mistake: adds the penalty to the loss but leaves the gradients as they were
# caught-by: visible
def add_weight_decay(loss, grads, params, weight_decay_lambda):
    '''Returns (loss + 0.5 * lambda * sum of every ||W||^2, {key: grad (+ lambda * W for the weights)}).'''
    penalty = 0.0
    for key in params:
        if key.startswith('W'):
            penalty += 0.5 * weight_decay_lambda * np.sum(params[key] ** 2)
    return loss + penalty, dict(grads)
