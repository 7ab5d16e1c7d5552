# mistake: returns None when training never stops early
# caught-by: visible
def early_stopping_epoch(val_losses, patience):
    '''val_losses: (E,) losses after epochs 1..E. Returns (stop_epoch, best_epoch), both counted from 1.'''
    best_loss, best_epoch = None, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if best_loss is None or loss < best_loss:
            best_loss, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return None
