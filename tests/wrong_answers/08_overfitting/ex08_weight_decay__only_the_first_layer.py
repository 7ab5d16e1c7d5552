# mistake: decays only W1
# caught-by: visible
def add_weight_decay(loss, grads, params, weight_decay_lambda):
    '''Returns (loss + 0.5 * lambda * sum of every ||W||^2, {key: grad (+ lambda * W for the weights)}).'''
    new_grads = dict(grads)
    new_grads['W1'] = grads['W1'] + weight_decay_lambda * params['W1']
    return loss + 0.5 * weight_decay_lambda * np.sum(params['W1'] ** 2), new_grads
