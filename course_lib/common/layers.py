from course_lib.convolution import Convolution, Pooling  # noqa: F401 -- book chapter 7
