# mistake: the best epoch is taken over the whole run, also the epochs after the stop
# caught-by: visible
def early_stopping_epoch(val_losses, patience):
    '''val_losses: (E,) losses after epochs 1..E. Returns (stop_epoch, best_epoch), both counted from 1.'''
    best_epoch = int(np.argmin(val_losses)) + 1
    best_loss, best_so_far = None, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if best_loss is None or loss < best_loss:
            best_loss, best_so_far = loss, epoch
        elif epoch - best_so_far >= patience:
            return epoch, best_epoch
    return len(val_losses), best_epoch
