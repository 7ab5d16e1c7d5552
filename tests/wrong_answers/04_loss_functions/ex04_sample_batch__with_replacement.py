# mistake: the book's default replace=True, so a row can appear twice in a batch
# caught-by: visible
def sample_batch(x, t, batch_size, seed):
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(x), batch_size)
    return x[idx], t[idx]
