from course_lib.convolution import col2im, conv_output_size, im2col  # noqa: F401 -- book chapter 7
