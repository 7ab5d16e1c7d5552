"""Pictures and widgets of notebook 09 draw and return what the convolution really computes."""
import ipywidgets as widgets
import numpy as np
import pytest

from course_lib.convolution import Convolution, Pooling, im2col
from course_lib.interactive import convolution as V

BOOK_INPUT = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]])
BOOK_FILTER = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]])


def test_convolution_step_is_the_books_example():
    r = V.show_convolution_step(BOOK_INPUT, BOOK_FILTER, 0, 1)
    assert np.array_equal(r["output"], [[15, 16], [6, 15]])        # the book's figure 7-4
    assert np.array_equal(r["patch"], BOOK_INPUT[0:3, 1:4])
    assert np.array_equal(r["products"], BOOK_INPUT[0:3, 1:4] * BOOK_FILTER) and r["value"] == 16
    assert len(r["axes"]) == 4 and "16" in r["axes"][3].get_title()
    with pytest.raises(IndexError, match="outside the output"):
        V.show_convolution_step(BOOK_INPUT, BOOK_FILTER, 2, 0)


@pytest.mark.parametrize("args,out", [((7, 3, 1, 0), 5), ((7, 3, 2, 1), 4), ((12, 5, 1, 2), 12), ((8, 3, 2, 0), None),
                                      ((3, 5, 1, 0), None)])
def test_output_size_picture_reports_the_formula(args, out):
    r = V.show_output_size(*args)
    assert r["out_size"] == out and r["fits"] == (out is not None)
    n, f, s, p = args
    assert r["formula"].startswith(f"({n} + 2*{p} - {f}) / {s} + 1")
    title = r["ax"].get_title()
    assert (f"output size {out}" in title) if out else ("does not fit" in title or "larger" in title)
    if out:  # the output grid is drawn, out x out
        assert r["ax"].images[1].get_array().shape == (out, out)
    else:
        assert len(r["ax"].images) == 1


def test_feature_map_is_the_convolution_with_padding_one(rng):
    image = rng.random((28, 28))
    r = V.show_feature_map("vertical edges", image.ravel())
    K = np.array(V.KERNELS["vertical edges"], dtype=float)
    expected = Convolution(K.reshape(1, 1, 3, 3), 0, pad=1).forward(image.reshape(1, 1, 28, 28))[0, 0]
    assert np.allclose(r["feature_map"], expected) and r["feature_map"].shape == (28, 28)
    assert np.allclose(r["axes"][2].images[0].get_array(), expected)
    nine = tuple(range(9))
    assert np.array_equal(V.show_feature_map(nine, image)["kernel"], np.arange(9).reshape(3, 3))
    identity = V.show_feature_map("identity", image)
    assert np.allclose(identity["feature_map"], image)


def test_kernel_editor_changes_its_value_once_per_edit():
    editor = V.kernel_editor("identity")
    dropdown, grid = editor.children
    boxes = grid.children
    assert editor.value == tuple(float(v) for v in np.ravel(V.KERNELS["identity"]))
    seen = []
    editor.observe(lambda ch: seen.append(ch["new"]), names="value")
    dropdown.value = "sharpen"
    assert seen == [tuple(float(v) for v in np.ravel(V.KERNELS["sharpen"]))]
    assert [b.value for b in boxes] == list(seen[-1])
    boxes[0].value = 3.0
    assert len(seen) == 2 and seen[-1][0] == 3.0 and dropdown.value is None   # your own kernel now
    dropdown.value = "blur"
    assert len(seen) == 3 and np.allclose(seen[-1], 1 / 9)


def test_filter_editor_redraws_with_the_edited_kernel(rng):
    image = rng.random((28, 28))
    box = V.filter_editor(image, preset="identity")
    assert np.allclose(box.result["feature_map"], image)
    editor = box.children[0]
    editor.children[0].value = "outline"
    assert np.array_equal(box.result["kernel"], np.array(V.KERNELS["outline"], dtype=float))
    editor.children[1].children[4].value = 0.0
    assert box.result["kernel"][1, 1] == 0.0


def test_output_size_widget_redraws_on_every_slider():
    box = V.output_size_widget(7, 3, 1, 0)
    assert box.result["out_size"] == 5
    sliders = [c for c in box.children if isinstance(c, widgets.IntSlider)]
    assert [s.description for s in sliders] == ["input size", "filter size", "stride", "padding"]
    sliders[3].value = 1
    assert box.result["out_size"] == 7
    sliders[2].value = 2
    assert box.result["out_size"] == 4


def test_im2col_picture_shows_the_rows_of_col():
    x = np.arange(12).reshape(3, 4)
    r = V.show_im2col(x, 2, 2)
    assert np.array_equal(r["col"], im2col(x.reshape(1, 1, 3, 4), 2, 2))
    assert r["col"].shape == (6, 4) and "6 rows" in r["axes"][1].get_title()


def test_pooling_picture_shows_each_windows_maximum():
    x = np.array([[1, 2, 1, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 4, 0, 1]])
    r = V.show_pooling(x)
    assert np.array_equal(r["out"], [[2, 3], [4, 2]])
    assert np.array_equal(r["out"], Pooling(2, 2, 2).forward(x.reshape(1, 1, 4, 4))[0, 0])


def test_filters_and_feature_maps_show_every_filter(rng):
    W = rng.standard_normal((12, 1, 5, 5))
    r = V.show_filters(W, nx=5, title="random")
    assert len(r["axes"]) == 12  # one Axes per filter, row by row
    figure = r["axes"][0].figure
    assert len(figure.axes) == 15 and figure.get_suptitle() == "random"  # 3 rows of 5; the last 3 stay empty
    assert sum(len(ax.images) for ax in figure.axes) == 12
    assert np.array_equal(r["axes"][7].images[0].get_array(), W[7, 0])
    assert r["axes"][7].get_subplotspec().rowspan.start == 1  # filter 7 is in the second row (5 per row)
    image = rng.random((28, 28))
    m = V.show_feature_maps(W, np.zeros(12), image, nx=6)
    expected = np.maximum(Convolution(W, np.zeros(12)).forward(image.reshape(1, 1, 28, 28))[0], 0)
    assert np.allclose(m["maps"], expected) and m["maps"].shape == (12, 24, 24)
    assert len(m["axes"]) == 12 and len(m["axes"][0].figure.axes) == 12  # 2 rows of 6
    assert np.allclose(m["axes"][3].images[0].get_array(), expected[3])


def test_filters_draw_into_the_axes_given_and_say_when_they_are_too_few(rng):
    from course_lib.plots import new_axes_grid

    W = rng.standard_normal((4, 1, 3, 3))
    given = new_axes_grid(nrows=1, ncols=5)
    r = V.show_filters(W, axes=given)
    assert list(r["axes"]) == list(given[:4]) and not given[4].axison  # the spare Axes is left empty
    with pytest.raises(ValueError, match=r"show_filters: 4 images need at least 4 Axes, got 3"):
        V.show_filters(W, axes=given[:3])
    with pytest.raises(ValueError, match=r"show_feature_maps: 4 images need at least 4 Axes, got 2"):
        V.show_feature_maps(W, np.zeros(4), rng.random((8, 8)), axes=given[:2])
