# mistake: draws the indices for x and for t separately, so the images lose their labels
# caught-by: visible
def sample_batch(x, t, batch_size, seed):
    rng = np.random.default_rng(seed)
    x_batch = x[rng.choice(len(x), batch_size, replace=False)]
    t_batch = t[rng.choice(len(t), batch_size, replace=False)]
    return x_batch, t_batch
