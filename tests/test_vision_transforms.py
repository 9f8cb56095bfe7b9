"""numtorch.vision.transforms against torchvision's golden outputs (tests/fixtures/vision_transforms.npz).

The fixture was written by tests/make_vision_fixtures.py under torch 2.14.1 + torchvision 0.29.1 (which
cannot be installed beside the torch 2.13 oracle); each case there is an expression replayed here under
numtorch with the same inputs and seeds.
"""
import importlib.util
import json
import os
import warnings

import numpy as np
import pytest

import numtorch

Image = pytest.importorskip("PIL.Image", reason="Pillow is needed for numtorch.vision.transforms tests")

import numtorch.vision.transforms as T  # noqa: E402
import numtorch.vision.transforms.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("make_vision_fixtures",
                                               os.path.join(HERE, "make_vision_fixtures.py"))
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)


@pytest.fixture(scope="module")
def golden():
    with np.load(fixtures.FIXTURE) as data:
        return dict(data.items())


def _compare(out, key, golden, atol):
    if key + "@len" in golden:
        assert isinstance(out, (tuple, list)) and len(out) == int(golden[key + "@len"]), key
        for i, o in enumerate(out):
            _compare(o, f"{key}/{i}", golden, atol)
        return
    if key + "@none" in golden:
        assert out is None, key
        return
    want = golden[key]
    if isinstance(out, numtorch.Tensor):
        assert str(out.dtype) == str(golden[key + "@dtype"]), key
        got = out.detach().numpy()
    elif isinstance(out, Image.Image):
        assert out.mode == str(golden[key + "@mode"]), key
        assert list(out.size) == list(golden[key + "@size"]), key
        got = np.asarray(out)
    elif isinstance(out, str):
        assert out == str(want), key
        return
    else:
        got = np.asarray(out)
    assert got.shape == want.shape, (key, got.shape, want.shape)
    if atol:
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=0, atol=atol,
                                   err_msg=key)
    else:  # bit-exact, floats included
        np.testing.assert_array_equal(got, want, err_msg=key)


@pytest.mark.parametrize("name,expr,seed", fixtures.CASES, ids=[c[0] for c in fixtures.CASES])
def test_against_torchvision(golden, name, expr, seed):
    env = fixtures.make_inputs(numtorch, Image)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name + "@raises" in golden:
            kind, message = json.loads(str(golden[name + "@raises"]))
            with pytest.raises(Exception) as info:
                fixtures.run_case(numtorch, T, F, T.InterpolationMode, env, expr, seed)
            # numtorch's classes print as numtorch.X where torch's print as torch.X
            got = str(info.value).replace("numtorch.", "torch.")
            assert (type(info.value).__name__, got) == (kind, message)
            return
        out = fixtures.run_case(numtorch, T, F, T.InterpolationMode, env, expr, seed)
    _compare(out, name, golden, fixtures.TOLERANCE.get(name, 0))


# --- the tensor kernels against the torch oracle's own interpolate / grid_sample ---------------------------

# outputs with h + w > 128 go through torch's generic kernel, smaller ones through its channels-last one
RESIZES = [((3, 31, 37), (10, 13)), ((2, 3, 9, 11), (17, 23)), ((1, 20, 20), (20, 7)), ((3, 12, 10), (45, 4)),
           ((2, 1, 8, 8), (3, 3)), ((1, 20, 30), (70, 90)), ((2, 2, 16, 16), (100, 40))]


def _rand_image(shape, seed=0, dtype="float32"):
    return np.random.default_rng(seed).random(shape).astype(dtype)


@pytest.mark.parametrize("shape,size", RESIZES)
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [True, False])
def test_resize_matches_interpolate(oracle, shape, size, mode, antialias):
    data = _rand_image(shape)
    got = F.resize(numtorch.from_numpy(data), list(size), T.InterpolationMode(mode), antialias=antialias)
    x = oracle.from_numpy(data)
    x4 = x[None] if x.ndim == 3 else x
    want = oracle.nn.functional.interpolate(x4, size=size, mode=mode, align_corners=False,
                                            antialias=antialias)
    want = want[0] if x.ndim == 3 else want
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("threads", [1, 2])
def test_resize_kernel_follows_thread_count(oracle, threads):
    # torch also takes the channels-last bilinear kernel for 3-channel images when single-threaded
    data = _rand_image((3, 20, 30))
    saved = numtorch.get_num_threads(), oracle.get_num_threads()
    numtorch.set_num_threads(threads)
    oracle.set_num_threads(threads)
    try:
        got = F.resize(numtorch.from_numpy(data), [70, 90], antialias=False)
        want = oracle.nn.functional.interpolate(oracle.from_numpy(data)[None], size=(70, 90), mode="bilinear",
                                                align_corners=False)[0]
    finally:
        numtorch.set_num_threads(saved[0])
        oracle.set_num_threads(saved[1])
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("shape,size", RESIZES[:3])
@pytest.mark.parametrize("mode,antialias", [("bilinear", True), ("bicubic", True), ("bilinear", False),
                                            ("bicubic", False)])
def test_resize_grad(oracle, shape, size, mode, antialias):
    data, weight = _rand_image(shape), _rand_image(shape[:-2] + size, seed=1)
    x = numtorch.from_numpy(data).requires_grad_()
    out = F.resize(x, list(size), T.InterpolationMode(mode), antialias=antialias)
    (out * numtorch.from_numpy(weight)).sum().backward()
    xt = oracle.from_numpy(data).requires_grad_()
    x4 = xt[None] if xt.ndim == 3 else xt
    ref = oracle.nn.functional.interpolate(x4, size=size, mode=mode, align_corners=False, antialias=antialias)
    (ref.reshape(weight.shape) * oracle.from_numpy(weight)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("fill", [None, [0.25, 0.5, 0.75]])
def test_grid_transforms_match_grid_sample(oracle, mode, fill):
    from numtorch.vision.transforms import _functional_tensor as F_t
    data, weight = _rand_image((2, 3, 9, 11)), _rand_image((2, 3, 9, 11), seed=1)
    matrix = F._get_inverse_affine_matrix([6 - 11 * 0.5, 3 - 9 * 0.5], 25.0, [1.0, 2.0], 1.1, [5.0, 3.0])
    x = numtorch.from_numpy(data).requires_grad_()
    out = F.affine(x, 25.0, [1, 2], 1.1, [5.0, 3.0], T.InterpolationMode(mode), fill=fill, center=[6, 3])
    (out * numtorch.from_numpy(weight)).sum().backward()
    grid = F_t._affine_grid(np.asarray(matrix, dtype=np.float32).reshape(2, 3), 11, 9, 11, 9)
    xt = oracle.from_numpy(data).requires_grad_()
    ref = oracle.nn.functional.grid_sample(xt, oracle.from_numpy(grid).expand(2, 9, 11, 2), mode=mode,
                                           padding_mode="zeros", align_corners=False)
    if fill is not None:
        ones = oracle.ones(2, 1, 9, 11)
        mask = oracle.nn.functional.grid_sample(ones, oracle.from_numpy(grid).expand(2, 9, 11, 2), mode=mode,
                                                padding_mode="zeros", align_corners=False)
        values = oracle.tensor(fill).view(1, 3, 1, 1)
        if mode == "nearest":
            ref = oracle.where(mask < 0.5, values, ref)
        else:
            ref = ref * mask + (1.0 - mask) * values
    (ref * oracle.from_numpy(weight)).sum().backward()
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_grad_flows_through_colour_and_geometry():
    x = numtorch.from_numpy(_rand_image((3, 8, 8))).requires_grad_()
    out = F.rotate(F.resize(x, [6, 6]), 10, T.InterpolationMode.BILINEAR)
    out = F.normalize(F.adjust_brightness(out, 0.5), [0.5] * 3, [0.25] * 3)
    out.sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape and float(x.grad.abs().sum()) > 0


def test_scale_is_a_deprecated_resize():
    img = numtorch.from_numpy(_rand_image((3, 10, 12)))
    with pytest.warns(UserWarning, match="Scale transform is deprecated"):
        scale = T.Scale(5)
    assert isinstance(scale, T.Resize)
    np.testing.assert_array_equal(scale(img).numpy(), T.Resize(5)(img).numpy())


def test_transforms_are_modules_and_int_interpolation():
    assert isinstance(T.Normalize([0.5], [0.5]), numtorch.nn.Module)
    assert T.Resize(4, interpolation=3).interpolation is T.InterpolationMode.BICUBIC
    assert T.InterpolationMode("nearest-exact") is F.InterpolationMode.NEAREST_EXACT
    assert F.pil_modes_mapping[T.InterpolationMode.LANCZOS] == Image.LANCZOS
