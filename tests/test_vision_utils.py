"""numtorch.vision.utils (make_grid, save_image) against torchvision's outputs
(tests/fixtures/vision_data.npz), and numtorch.vision.io against Pillow's own decoding."""
import io

import numpy as np
import pytest
from PIL import Image

import numtorch
from numtorch.vision import io as vio
from numtorch.vision.utils import draw_bounding_boxes, make_grid, save_image
from make_vision_model_fixtures import (DATA_FIXTURE, DRAW_CASES, GRID_CASES, IO_MODES, IO_SKIP, SAVE_CASES,
                                        draw_images, grid_inputs)

FIX = np.load(DATA_FIXTURE)
INPUTS = grid_inputs()


@pytest.mark.parametrize("cid,key,as_list,kwargs", GRID_CASES, ids=[c[0] for c in GRID_CASES])
def test_make_grid_like_torchvision(cid, key, as_list, kwargs):
    t = numtorch.from_numpy(INPUTS[key].copy())
    before = t.clone()
    grid = make_grid(list(t) if as_list else t, **kwargs)
    expected = FIX["grid_" + cid]
    assert str(grid.dtype).split(".")[1] == str(expected.dtype) and tuple(grid.shape) == expected.shape
    np.testing.assert_array_equal(grid.numpy(), expected)
    assert numtorch.equal(t, before)  # normalize works on a copy


@pytest.mark.parametrize("cid,key,kwargs", SAVE_CASES, ids=[c[0] for c in SAVE_CASES])
def test_save_image_like_torchvision(cid, key, kwargs, tmp_path):
    buf = io.BytesIO()
    save_image(numtorch.from_numpy(INPUTS[key].copy()), buf, format="png", **kwargs)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(buf.getvalue()))), FIX[cid])
    path = tmp_path / "grid.png"
    save_image(numtorch.from_numpy(INPUTS[key].copy()), path, **kwargs)
    np.testing.assert_array_equal(np.asarray(Image.open(path)), FIX[cid])


def test_make_grid_errors_and_grad():
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got <class 'numpy.ndarray'>"):
        make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match="got a list containing <class 'int'>"):
        make_grid([numtorch.zeros(3, 2, 2), 5])
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(numtorch.zeros(2, 3, 2, 2), normalize=True, value_range=[0, 1])
    x = numtorch.rand(3, 3, 2, 2, requires_grad=True)
    g = make_grid(x, nrow=2, padding=1)
    (g * numtorch.arange(float(g.numel())).reshape(g.shape)).sum().backward()
    assert x.grad.shape == x.shape and float(x.grad.min()) > 0


@pytest.mark.parametrize("cid,key,boxes,kwargs", DRAW_CASES, ids=[c[0] for c in DRAW_CASES])
def test_draw_bounding_boxes_like_torchvision(cid, key, boxes, kwargs):
    img = numtorch.from_numpy(draw_images()[key].copy())
    out = draw_bounding_boxes(img, numtorch.tensor(boxes, dtype=numtorch.float32), **kwargs)
    expected = FIX["draw_" + cid]
    assert str(out.dtype).split(".")[1] == str(expected.dtype)
    np.testing.assert_array_equal(out.numpy(), expected)


def test_draw_bounding_boxes_errors():
    img = numtorch.zeros(3, 8, 8, dtype=numtorch.uint8)
    box = numtorch.tensor([[1.0, 1.0, 5.0, 5.0]])
    with pytest.raises(TypeError, match="Tensor expected"):
        draw_bounding_boxes(np.zeros((3, 8, 8)), box)
    with pytest.raises(ValueError, match="The image dtype must be uint8 or float, got torch.int32"):
        draw_bounding_boxes(img.int(), box)
    with pytest.raises(ValueError, match="Pass individual images, not batches"):
        draw_bounding_boxes(img[None], box)
    with pytest.raises(ValueError, match="Only grayscale and RGB images are supported"):
        draw_bounding_boxes(numtorch.zeros(4, 8, 8, dtype=numtorch.uint8), box)
    with pytest.raises(ValueError, match=r"Boxes need to be in \(xmin, ymin, xmax, ymax\) format"):
        draw_bounding_boxes(img, numtorch.tensor([[5.0, 1.0, 1.0, 5.0]]))
    with pytest.raises(ValueError, match=r"Number of boxes \(1\) and labels \(2\) mismatch"):
        draw_bounding_boxes(img, box, labels=["a", "b"])
    with pytest.raises(ValueError, match="Number of colors must be equal or larger"):
        draw_bounding_boxes(img, box.repeat(2, 1), colors=["red"])
    with pytest.raises(ValueError, match="colors should be an RGB triplet"):
        draw_bounding_boxes(img, box, colors=(1, 2))
    with pytest.raises(ValueError, match="colors must be a tuple or a string"):
        draw_bounding_boxes(img, box, colors=5)
    with pytest.warns(UserWarning, match="No box was drawn"):
        assert draw_bounding_boxes(img, numtorch.zeros(0, 4)) is img
    with pytest.warns(UserWarning, match="'font_size' will be ignored"):
        draw_bounding_boxes(img, box, font_size=12)


# ---------------------------------------------------------------- io
def _png_bytes(img):
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


IO_NAMES = sorted(k[len("io_bytes_"):] for k in FIX if k.startswith("io_bytes_"))


@pytest.mark.parametrize("name", IO_NAMES)
def test_decode_image_like_torchvision(name):
    data = numtorch.from_numpy(FIX["io_bytes_" + name].copy())
    for mode in IO_MODES:
        if (name, mode) in IO_SKIP:
            continue
        expected = FIX[f"io_{name}_{mode}"]
        if expected.dtype.kind == "U":
            with pytest.raises(RuntimeError, match=str(expected).split(": ", 1)[1]):
                vio.decode_image(data, mode)
            continue
        out = vio.decode_image(data, vio.ImageReadMode[mode])
        assert out.dtype == numtorch.uint8
        np.testing.assert_array_equal(out.numpy(), expected, err_msg=mode)


@pytest.mark.parametrize("channels", [1, 3])
def test_write_png_read_image_roundtrip(tmp_path, channels):
    arr = np.random.default_rng(channels).integers(0, 256, (channels, 5, 7)).astype(np.uint8)
    path = tmp_path / "x.png"
    vio.write_png(numtorch.from_numpy(arr), str(path), compression_level=9)
    back = vio.read_image(str(path))
    assert back.dtype == numtorch.uint8 and tuple(back.shape) == arr.shape
    np.testing.assert_array_equal(back.numpy(), arr)
    pil = np.asarray(Image.open(path))
    np.testing.assert_array_equal(pil if pil.ndim == 3 else pil[:, :, None], arr.transpose(1, 2, 0))
    np.testing.assert_array_equal(vio.decode_png(vio.read_file(path)).numpy(), arr)


def test_read_modes_follow_pillow(tmp_path):
    rgba = np.random.default_rng(0).integers(0, 256, (4, 6, 4)).astype(np.uint8)
    path = tmp_path / "x.png"
    path.write_bytes(_png_bytes(Image.fromarray(rgba)))
    pil = Image.open(path)
    # gray conversions follow libpng, not Pillow: covered by test_decode_image_like_torchvision
    cases = {vio.ImageReadMode.UNCHANGED: "RGBA", vio.ImageReadMode.RGB: "RGB", "rgb_alpha": "RGBA"}
    for mode, pil_mode in cases.items():
        got = vio.decode_image(str(path), mode=mode).numpy()
        ref = np.asarray(pil.convert(pil_mode))
        np.testing.assert_array_equal(got, (ref if ref.ndim == 3 else ref[:, :, None]).transpose(2, 0, 1))
    assert vio.ImageReadMode.RGBA is vio.ImageReadMode.RGB_ALPHA and vio.ImageReadMode.GRAY.value == 1
    palette = Image.fromarray(rgba[:, :, 0] % 4, "L").convert("P")
    data = numtorch.from_numpy(np.frombuffer(bytearray(_png_bytes(palette)), np.uint8))
    assert vio.decode_image(data).shape == (3, 4, 6)


def test_jpeg_and_files(tmp_path):
    arr = np.full((3, 8, 8), 128, np.uint8)
    data = vio.encode_jpeg(numtorch.from_numpy(arr), quality=90)
    assert data.dtype == numtorch.uint8 and data.dim() == 1 and bytes(data.numpy()[:2]) == b"\xff\xd8"
    dec = vio.decode_jpeg(data)
    assert dec.shape == (3, 8, 8) and int((dec.int() - 128).abs().max()) <= 2
    assert [t.shape for t in vio.decode_jpeg([data, data])] == [(3, 8, 8)] * 2
    vio.write_jpeg(numtorch.from_numpy(arr), str(tmp_path / "a.jpg"))
    assert Image.open(tmp_path / "a.jpg").size == (8, 8)
    vio.write_file(str(tmp_path / "raw.bin"), numtorch.tensor([1, 2, 255], dtype=numtorch.uint8))
    assert (tmp_path / "raw.bin").read_bytes() == b"\x01\x02\xff"
    assert vio.read_file(tmp_path / "raw.bin").tolist() == [1, 2, 255]


def test_io_errors():
    img = numtorch.zeros(3, 4, 4)
    with pytest.raises(RuntimeError, match="dtype should be uint8"):
        vio.encode_png(img)
    with pytest.raises(RuntimeError, match="Input data should be a 3-dimensional tensor"):
        vio.encode_png(numtorch.zeros(4, 4, dtype=numtorch.uint8))
    with pytest.raises(RuntimeError, match="got: 4"):
        vio.encode_jpeg(numtorch.zeros(4, 2, 2, dtype=numtorch.uint8))
    with pytest.raises(RuntimeError, match="Unsupported image file. Only jpeg, png, webp and gif"):
        vio.decode_image(numtorch.zeros(3, dtype=numtorch.uint8))
    with pytest.raises(RuntimeError, match="Expected a non empty 1-dimensional tensor"):
        vio.decode_image(numtorch.zeros(3, 2, dtype=numtorch.uint8))
    with pytest.raises(RuntimeError, match="Expected a torch.uint8 tensor"):
        vio.decode_image(numtorch.zeros(3))
    with pytest.raises(RuntimeError, match="Compression level should be between 0 and 9"):
        vio.encode_png(img.to(numtorch.uint8), compression_level=10)
    with pytest.raises(ValueError, match="Image quality should be a positive number between 1 and 100"):
        vio.encode_jpeg(img.to(numtorch.uint8), quality=0)
    with pytest.raises(ValueError, match="Input list must contain at least one element"):
        vio.decode_jpeg([])
    with pytest.raises(TypeError):
        vio.write_file("x.bin", b"abc")
    with pytest.raises(KeyError):
        vio.decode_image(numtorch.tensor([137, 80], dtype=numtorch.uint8), mode="cmyk")
    deep = _png_bytes(Image.fromarray(np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000))
    with pytest.raises(RuntimeError, match="torch.uint16"):
        vio.decode_image(numtorch.from_numpy(np.frombuffer(bytearray(deep), np.uint8)))
