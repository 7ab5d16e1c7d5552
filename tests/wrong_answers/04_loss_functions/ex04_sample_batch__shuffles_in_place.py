# mistake: shuffles x and t in place with the same seed and takes the first rows: the caller's data is reordered
# caught-by: visible
def sample_batch(x, t, batch_size, seed):
    np.random.default_rng(seed).shuffle(x)
    np.random.default_rng(seed).shuffle(t)
    return x[:batch_size].copy(), t[:batch_size].copy()
