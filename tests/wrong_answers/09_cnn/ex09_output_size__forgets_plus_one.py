# mistake: forgets the + 1 (counts the jumps, not the positions)
# caught-by: visible
def conv_output_size(input_size, filter_size, stride=1, pad=0):
    room = input_size + 2 * pad - filter_size
    if room < 0 or room % stride != 0:
        raise ValueError(f"the filter does not fit: {room} is not a multiple of {stride}")
    return room // stride
