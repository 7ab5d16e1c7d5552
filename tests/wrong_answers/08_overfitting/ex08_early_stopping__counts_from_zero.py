# mistake: epochs counted from 0 (Python indices) instead of 1
# caught-by: visible
def early_stopping_epoch(val_losses, patience):
    '''val_losses: (E,) losses after epochs 1..E. Returns (stop_epoch, best_epoch), both counted from 1.'''
    best_loss, best_epoch = None, 0
    for epoch, loss in enumerate(val_losses):
        if best_loss is None or loss < best_loss:
            best_loss, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
