# mistake: always seeds the generator with 0, whatever seed it is given
# caught-by: visible
def sample_batch(x, t, batch_size, seed):
    rng = np.random.default_rng(0)
    idx = rng.choice(len(x), batch_size, replace=False)
    return x[idx], t[idx]
