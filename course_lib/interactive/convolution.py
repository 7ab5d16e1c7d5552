"""Pictures and widgets of notebook 09 (convolutional networks).

Plain functions that draw and return what they show (the tests call them):

- ``show_convolution_step(image, kernel, i, j)`` -- the filter over one patch, the products, their sum;
- ``show_output_size(input_size, filter_size, stride, pad)`` -- the padded input, where the filter can go, the output;
- ``show_feature_map(kernel, image)`` -- a 3x3 kernel (numbers or a preset of ``KERNELS``) and what it makes of a digit;
- ``show_im2col(x, filter_h, filter_w, stride, pad)`` -- the patches of a small image unrolled into the rows of ``col``;
- ``show_pooling(x, pool, stride)`` -- 2x2 max pooling, each window and its maximum;
- ``show_filters(W)`` -- the first-layer filters as small images (the book's ``filter_show``);
- ``show_feature_maps(W, b, image)`` -- what each filter makes of one image (the book's ``apply_filter.py``).

Each takes ``ax=None`` (one Axes) or ``axes=None`` (several) and makes a new figure with ``course_lib.plots`` when
it is None.

Widgets (built with ``course_lib.interactive.interact``): ``output_size_widget()``, ``filter_editor(image)``.
"""
from __future__ import annotations

import numpy as np

from ..convolution import Convolution, ShapeError, conv_output_size, im2col
from ..plots import new_axes, new_axes_grid
from . import interact

__all__ = ["KERNELS", "show_convolution_step", "show_output_size", "output_size_widget", "show_feature_map",
           "kernel_editor", "filter_editor", "show_im2col", "show_pooling", "show_filters", "show_feature_maps"]

#: 3x3 kernels to start from in the filter editor.
KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "vertical edges": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "horizontal edges": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "diagonal edges": [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]],
    "blur": [[1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}


def _grid(ax, values, cmap="Greys", fmt="{:g}", vmin=None, vmax=None, fontsize=9, numbers=True):
    """Draw a 2-D array as cells with their numbers (no ticks)."""
    values = np.asarray(values, dtype=float)
    ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax)
    if numbers:
        lo, hi = (values.min(), values.max()) if vmin is None else (vmin, vmax)
        for (r, c), v in np.ndenumerate(values):
            dark = hi > lo and (v - lo) / (hi - lo) > 0.6
            ax.text(c, r, fmt.format(round(v, 2) + 0.0), ha="center", va="center", fontsize=fontsize,
                    color="white" if dark else "black")
    ax.set_xticks(np.arange(-0.5, values.shape[1], 1), minor=True)
    ax.set_yticks(np.arange(-0.5, values.shape[0], 1), minor=True)
    ax.grid(which="minor", color="0.6", lw=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)


def _box(ax, row, col, h, w, color, lw=2.5, **kw):
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((col - 0.5, row - 0.5), w, h, fill=False, edgecolor=color, lw=lw, **kw))


# --------------------------------------------------------------------------
# 1. one step of a convolution
# --------------------------------------------------------------------------
def show_convolution_step(image, kernel, i: int = 0, j: int = 0, axes=None) -> dict:
    """Output pixel ``(i, j)`` of a convolution (stride 1, no padding): the patch of ``image`` under the kernel,
    the products pixel by kernel weight, and their sum.

    image: ``(H, W)``; kernel: ``(FH, FW)``. Returns ``{'axes', 'patch' (FH, FW), 'products' (FH, FW),
    'value' (their sum), 'output' (the whole output (H-FH+1, W-FW+1))}``.
    """
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    FH, FW = kernel.shape
    output = Convolution(kernel[np.newaxis, np.newaxis], 0).forward(image[np.newaxis, np.newaxis])[0, 0]
    if not (0 <= i < output.shape[0] and 0 <= j < output.shape[1]):
        raise IndexError(f"show_convolution_step: output pixel ({i}, {j}) is outside the output {output.shape}")
    patch = image[i:i + FH, j:j + FW]
    products = patch * kernel
    axes = new_axes_grid(axes, 1, 4, figsize=(11, 2.9), width_ratios=[image.shape[1], FW, FW, output.shape[1]])
    _grid(axes[0], image, cmap="Blues")
    _box(axes[0], i, j, FH, FW, "tab:red")
    axes[0].set_title("input, the patch in red")
    _grid(axes[1], kernel, cmap="PuOr", vmin=-np.abs(kernel).max(), vmax=np.abs(kernel).max())
    axes[1].set_title("kernel")
    _grid(axes[2], products, cmap="PuOr", vmin=-np.abs(products).max() - 1e-12, vmax=np.abs(products).max() + 1e-12)
    axes[2].set_title(f"products, sum = {products.sum():g}")
    _grid(axes[3], output, cmap="Oranges")
    _box(axes[3], i, j, 1, 1, "tab:red")
    axes[3].set_title(f"output[{i}, {j}] = {output[i, j]:g}")
    return {"axes": axes, "patch": patch, "products": products, "value": float(products.sum()), "output": output}


# --------------------------------------------------------------------------
# 2. padding, stride and the output size
# --------------------------------------------------------------------------
def show_output_size(input_size: int = 7, filter_size: int = 3, stride: int = 1, pad: int = 0, ax=None) -> dict:
    """The padded input (padding grey), the filter at its first position and the top-left corners of all its
    positions (dots), next to the output grid -- or, when the filter does not fit, the rows and columns it
    cannot reach in red.

    Returns ``{'ax', 'out_size' (int, or None when it does not fit), 'fits', 'formula' (the computation as text)}``.
    """
    from matplotlib.patches import Rectangle

    ax = new_axes(ax, figsize=(9, 4.2))
    P = input_size + 2 * pad
    numerator = P - filter_size
    formula = f"({input_size} + 2*{pad} - {filter_size}) / {stride} + 1 = {numerator / stride + 1:g}"
    try:
        out_size, fits = conv_output_size(input_size, filter_size, stride, pad), True
    except ShapeError:
        out_size, fits = None, False
    # the padded input: cell (r, c) at x = c, y = r
    cells = np.ones((P, P))
    cells[pad:pad + input_size, pad:pad + input_size] = 0
    ax.imshow(cells, cmap="Greys", vmin=0, vmax=3, extent=(-0.5, P - 0.5, P - 0.5, -0.5))
    lines = np.arange(P + 1) - 0.5
    ax.vlines(lines, -0.5, P - 0.5, color="0.6", lw=0.5)
    ax.hlines(lines, -0.5, P - 0.5, color="0.6", lw=0.5)
    if numerator >= 0:
        starts = np.arange(0, numerator + 1, stride)
        corners = np.array([(c, r) for r in starts for c in starts])
        ax.plot(corners[:, 0], corners[:, 1], "o", color="tab:blue", ms=4)
        _box(ax, 0, 0, filter_size, filter_size, "tab:blue", lw=3)
        reach = starts[-1] + filter_size
        if reach < P:  # the rows and columns no window covers
            ax.add_patch(Rectangle((reach - 0.5, -0.5), P - reach, P, color="tab:red", alpha=0.3))
            ax.add_patch(Rectangle((-0.5, reach - 0.5), reach, P - reach, color="tab:red", alpha=0.3))
    # the output grid to the right, its first pixel dark
    x0 = P + 1.5
    if fits:
        out_cells = np.ones((out_size, out_size))
        out_cells[0, 0] = 3
        ax.imshow(out_cells, cmap="Blues", vmin=0, vmax=3,
                  extent=(x0 - 0.5, x0 + out_size - 0.5, out_size - 0.5, -0.5))
        lines = np.arange(out_size + 1) - 0.5
        ax.vlines(x0 + lines, -0.5, out_size - 0.5, color="0.4", lw=0.8)
        ax.hlines(lines, x0 - 0.5, x0 + out_size - 0.5, color="0.4", lw=0.8)
        ax.text(x0 + out_size / 2 - 0.5, out_size + 0.2, f"output {out_size} x {out_size}", ha="center",
                va="top", fontsize=10)
    width = x0 + (out_size if fits else 4)
    ax.set_xlim(-0.7, max(width, P) + 0.2)
    ax.set_ylim(max(P, out_size or 0) + 1.2, -0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.text(P / 2 - 0.5, P + 0.2, f"input {input_size} x {input_size}" + (f", padded to {P} x {P}" if pad else ""),
            ha="center", va="top", fontsize=10)
    verdict = f"output size {out_size}" if fits else (
        "the filter is larger than the padded input" if numerator < 0 else
        f"does not fit: {numerator} is not a multiple of the stride {stride} (red: never covered)")
    ax.set_title(f"{formula}: {verdict}", fontsize=10, color="black" if fits else "tab:red")
    return {"ax": ax, "out_size": out_size, "fits": fits, "formula": formula}


def output_size_widget(input_size: int = 7, filter_size: int = 3, stride: int = 1, pad: int = 0):
    """Sliders for the input size, filter size, stride and padding -> ``show_output_size``."""
    import ipywidgets as widgets

    controls = {
        "input_size": widgets.IntSlider(value=input_size, min=3, max=12, description="input size"),
        "filter_size": widgets.IntSlider(value=filter_size, min=1, max=7, description="filter size"),
        "stride": widgets.IntSlider(value=stride, min=1, max=4, description="stride"),
        "pad": widgets.IntSlider(value=pad, min=0, max=3, description="padding"),
    }
    return interact(show_output_size, controls)


# --------------------------------------------------------------------------
# 3. the filter editor
# --------------------------------------------------------------------------
def show_feature_map(kernel, image, axes=None) -> dict:
    """A 3x3 ``kernel`` (nine numbers, a (3, 3) array or a name in ``KERNELS``) slid over ``image`` ``(28, 28)``
    or ``(784,)`` with padding 1: the image, the kernel, and the feature map (purple: positive, orange: negative).

    Returns ``{'axes', 'kernel' (3, 3), 'feature_map' (28, 28)}``.
    """
    if isinstance(kernel, str):
        kernel = KERNELS[kernel]
    kernel = np.asarray(kernel, dtype=float).reshape(3, 3)
    image = np.asarray(image, dtype=float).reshape(28, 28)
    fmap = Convolution(kernel[np.newaxis, np.newaxis], 0, pad=1).forward(image[np.newaxis, np.newaxis])[0, 0]
    axes = new_axes_grid(axes, 1, 3, figsize=(9.5, 3.2), width_ratios=[1, 0.75, 1])
    axes[0].imshow(image, cmap="gray_r")
    axes[0].set_title("input")
    limit = float(np.abs(kernel).max()) or 1.0
    _grid(axes[1], kernel, cmap="PuOr", vmin=-limit, vmax=limit, fontsize=11)
    axes[1].set_title("kernel")
    top = float(np.abs(fmap).max()) or 1.0
    axes[2].imshow(fmap, cmap="PuOr", vmin=-top, vmax=top)
    axes[2].set_title(f"feature map ({fmap.min():.2f} .. {fmap.max():.2f})")
    for ax in (axes[0], axes[2]):
        ax.set_xticks([])
        ax.set_yticks([])
    return {"axes": axes, "kernel": kernel, "feature_map": fmap}


def kernel_editor(preset: str = "vertical edges"):
    """One control for a 3x3 kernel: a drop-down of ``KERNELS`` and a 3x3 grid of number boxes.

    Its ``value`` is the nine numbers (a tuple, row by row) and changes once per edit: choosing a preset fills
    the boxes; editing a box clears the drop-down (the kernel is your own now).
    """
    import ipywidgets as widgets
    import traitlets

    class _KernelEditor(widgets.VBox):
        value = traitlets.Tuple()

    dropdown = widgets.Dropdown(options=list(KERNELS), value=preset, description="kernel")
    boxes = [widgets.BoundedFloatText(value=float(v), min=-20, max=20, step=1.0,
                                      layout=widgets.Layout(width="75px"))
             for v in np.ravel(KERNELS[preset])]
    grid = widgets.GridBox(boxes, layout=widgets.Layout(grid_template_columns="repeat(3, 80px)"))
    editor = _KernelEditor([dropdown, grid])
    editor.value = tuple(b.value for b in boxes)
    filling = []  # non-empty while a preset fills the boxes

    def on_preset(change):
        if change["new"] is None:
            return
        filling.append(True)
        try:
            for b, v in zip(boxes, np.ravel(KERNELS[change["new"]])):
                b.value = float(v)
        finally:
            filling.pop()
        editor.value = tuple(b.value for b in boxes)

    def on_box(_):
        if filling:
            return
        dropdown.value = None
        editor.value = tuple(b.value for b in boxes)

    dropdown.observe(on_preset, names="value")
    for b in boxes:
        b.observe(on_box, names="value")
    return editor


def filter_editor(image, preset: str = "vertical edges"):
    """The filter editor: a preset drop-down and nine number boxes -> ``show_feature_map`` of ``image``."""
    return interact(show_feature_map, {"kernel": kernel_editor(preset)}, image=image)


# --------------------------------------------------------------------------
# 4. im2col, pooling, learned filters
# --------------------------------------------------------------------------
def show_im2col(x, filter_h: int = 2, filter_w: int = 2, stride: int = 1, pad: int = 0, axes=None) -> dict:
    """One small image ``x`` ``(H, W)``: each position of the filter in its own colour (left) and ``col``, the
    patches unrolled into rows (right). Returns ``{'axes', 'col' (out_h*out_w, filter_h*filter_w)}``."""
    import matplotlib.pyplot as plt

    x = np.asarray(x, dtype=float)
    col = im2col(x[np.newaxis, np.newaxis], filter_h, filter_w, stride, pad)
    out_w = conv_output_size(x.shape[1], filter_w, stride, pad)
    axes = new_axes_grid(axes, 1, 2, figsize=(10, 4), width_ratios=[1, 1.3])
    shown = np.pad(x, pad)
    _grid(axes[0], shown, cmap="Greys", vmin=0, vmax=4 * max(np.abs(shown).max(), 1))
    colors = plt.get_cmap("tab10")
    for k in range(col.shape[0]):
        r, c = divmod(k, out_w)
        inset = 0.06 * (k % 4)
        _box(axes[0], r * stride + inset, c * stride + inset, filter_h - 2 * inset, filter_w - 2 * inset,
             colors(k % 10), lw=2)
    axes[0].set_title(f"image {x.shape[0]}x{x.shape[1]}" + (f" padded by {pad}" if pad else "")
                      + f", {filter_h}x{filter_w} filter, stride {stride}")
    _grid(axes[1], col, cmap="Greys", vmin=0, vmax=4 * max(np.abs(col).max(), 1), fontsize=8)
    for k in range(col.shape[0]):
        _box(axes[1], k, 0, 1, col.shape[1], colors(k % 10), lw=2)
    axes[1].set_title(f"col = im2col(...): {col.shape[0]} rows (one per position) x {col.shape[1]} columns")
    return {"axes": axes, "col": col}


def show_pooling(x, pool: int = 2, stride: int = 2, axes=None) -> dict:
    """Max pooling of one small image ``x`` ``(H, W)``: the windows (colours) with each maximum circled, and the
    output. Returns ``{'axes', 'out' (out_h, out_w)}``."""
    import matplotlib.pyplot as plt

    from ..convolution import Pooling

    x = np.asarray(x, dtype=float)
    out = Pooling(pool, pool, stride).forward(x[np.newaxis, np.newaxis])[0, 0]
    axes = new_axes_grid(axes, 1, 2, figsize=(7, 3.3), width_ratios=[x.shape[1], out.shape[1] + 0.5])
    _grid(axes[0], x, cmap="Greys", vmin=0, vmax=3 * max(x.max(), 1), fontsize=11)
    _grid(axes[1], out, cmap="Greys", vmin=0, vmax=3 * max(x.max(), 1), fontsize=11)
    colors = plt.get_cmap("tab10")
    for (r, c), _ in np.ndenumerate(out):
        window = x[r * stride:r * stride + pool, c * stride:c * stride + pool]
        wr, wc = np.unravel_index(np.argmax(window), window.shape)
        color = colors((r * out.shape[1] + c) % 10)
        _box(axes[0], r * stride, c * stride, pool, pool, color, lw=3)
        axes[0].plot(c * stride + wc, r * stride + wr, "o", ms=22, mfc="none", mec=color, mew=2)
        _box(axes[1], r, c, 1, 1, color, lw=3)
    axes[0].set_title(f"input, {pool}x{pool} windows, stride {stride}")
    axes[1].set_title("max of each window")
    return {"axes": axes, "out": out}


def _tiles(images, nx: int, axes, figsize, caller: str, **imshow_kw):
    """Draw ``images`` ``(K, h, w)`` as small grey tiles, ``nx`` per row, into ``axes`` (at least ``K`` Axes; the
    rest are left empty) or a new figure. Returns the ``K`` Axes drawn into (a flat array)."""
    K = len(images)
    axes = new_axes_grid(axes, int(np.ceil(K / nx)), nx, figsize=figsize)
    if len(axes) < K:
        raise ValueError(f"{caller}: {K} images need at least {K} Axes, got {len(axes)}; "
                         "pass axes=None for a new figure")
    for k, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if k < K:
            ax.imshow(images[k], cmap="gray_r", **imshow_kw)
        else:
            ax.axis("off")
    return axes[:K]


def show_filters(W, nx: int = 10, title: str | None = None, axes=None) -> dict:
    """The filters ``W`` ``(FN, C, FH, FW)`` as small grey images (channel 0; dark = large weight), ``nx`` per row:
    the book's ``filter_show``. axes: at least ``FN`` Axes to draw into (default: a new figure).
    Returns ``{'axes' (FN,): one per filter, row by row, 'filters' (FN, FH, FW)}``."""
    W = np.asarray(W)
    ny = int(np.ceil(W.shape[0] / nx))
    axes = _tiles(W[:, 0], nx, axes, (nx * 0.8, ny * 0.8 + (0.4 if title else 0)), "show_filters",
                  interpolation="nearest")
    if title:
        axes[0].figure.suptitle(title, fontsize=10)
    return {"axes": axes, "filters": W[:, 0]}


def show_feature_maps(W, b, image, nx: int = 10, axes=None) -> dict:
    """What each filter makes of one image (the book's ``apply_filter.py``): the convolution of ``image``
    ``(1, H, W)`` (or ``(H, W)``) with every filter of ``W`` ``(FN, 1, FH, FW)``, plus ``b``, then ReLU.
    axes: at least ``FN`` Axes to draw into (default: a new figure).
    Returns ``{'axes' (FN,): one per map, row by row, 'maps' (FN, out_h, out_w)}``."""
    image = np.asarray(image)
    image = image.reshape(1, 1, *image.shape[-2:])
    maps = np.maximum(Convolution(W, b).forward(image)[0], 0)
    ny = int(np.ceil(maps.shape[0] / nx))
    axes = _tiles(maps, nx, axes, (nx * 0.8, ny * 0.8), "show_feature_maps")
    return {"axes": axes, "maps": maps}
