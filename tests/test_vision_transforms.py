"""numtorch.vision.transforms against torchvision's golden outputs (tests/fixtures/vision_transforms.npz).

The fixture was written by tests/make_vision_fixtures.py under torch 2.14.1 + torchvision 0.29.1 (which
cannot be installed beside the torch 2.13 oracle); each case there is an expression replayed here under
numtorch with the same inputs and seeds.
"""
import importlib.util
import json
import os
import random
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
            assert (type(info.value).__name__, str(info.value)) == (kind, message)
            return
        out = fixtures.run_case(numtorch, T, F, T.InterpolationMode, env, expr, seed)
    _compare(out, name, golden, fixtures.TOLERANCE.get(name, 0))
