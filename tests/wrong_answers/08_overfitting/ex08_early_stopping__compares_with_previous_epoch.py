# mistake: counts epochs whose loss is above the previous epoch's, not above the best so far
# caught-by: visible
def early_stopping_epoch(val_losses, patience):
    '''val_losses: (E,) losses after epochs 1..E. Returns (stop_epoch, best_epoch), both counted from 1.'''
    worse, best_epoch = 0, 1
    for epoch in range(2, len(val_losses) + 1):
        if val_losses[epoch - 1] < val_losses[epoch - 2]:
            worse = 0
            if val_losses[epoch - 1] < val_losses[best_epoch - 1]:
                best_epoch = epoch
        else:
            worse += 1
            if worse >= patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch
