# mistake: the book's formula with / : returns a float (24.0), and 12.5 when the stride does not divide
# caught-by: visible
def conv_output_size(input_size, filter_size, stride=1, pad=0):
    return (input_size + 2 * pad - filter_size) / stride + 1
