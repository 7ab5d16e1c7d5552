# mistake: takes the first batch_size rows instead of a random draw
# caught-by: visible
def sample_batch(x, t, batch_size, seed):
    return x[:batch_size], t[:batch_size]
