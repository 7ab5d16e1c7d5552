# mistake: the book's global generator: np.random.seed(seed) and np.random.choice instead of default_rng(seed)
# caught-by: visible
def sample_batch(x, t, batch_size, seed):
    np.random.seed(seed)
    idx = np.random.choice(len(x), batch_size, replace=False)
    return x[idx], t[idx]
