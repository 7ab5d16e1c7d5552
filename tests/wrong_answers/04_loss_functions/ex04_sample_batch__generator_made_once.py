# mistake: makes the generator once, outside the function, so the same seed gives a different batch on every call
# caught-by: visible
_rng = np.random.default_rng(0)


def sample_batch(x, t, batch_size, seed):
    idx = _rng.choice(len(x), batch_size, replace=False)
    return x[idx], t[idx]
