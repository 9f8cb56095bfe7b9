"""nn.DataParallel on a machine without CUDA, against real torch's CPU build."""
import io

import numpy as np
import pytest

import numtorch
from conftest import need_torch, rand, to_np

pytestmark = pytest.mark.skipif(numtorch.cuda.is_available(), reason="describes a CPU-only machine")


def _model(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.BatchNorm1d(3), lib.nn.ReLU(), lib.nn.Linear(3, 2))


def test_wrapper_attributes_repr_and_state_dict():
    torch = need_torch()
    res = {}
    for lib in (torch, numtorch):
        dp = lib.nn.DataParallel(_model(lib))
        sd = dp.state_dict()
        res[lib] = (repr(dp), list(sd), dp.device_ids, hasattr(dp, "dim"), hasattr(dp, "output_device"),
                    type(dp.module).__name__, [to_np(v).tolist() for v in sd.values()],
                    [n for n, _ in dp.named_parameters()], [n for n, _ in dp.named_modules()])
    assert res[numtorch] == res[torch]


@pytest.mark.parametrize("kwargs", [{}, {"device_ids": [0, 1]},
                                    {"device_ids": [0], "output_device": 0, "dim": 1}])
def test_forward_backward_passthrough(kwargs):
    torch = need_torch()
    x = rand(5, 4)
    res = {}
    for lib in (torch, numtorch):
        dp = lib.nn.DataParallel(_model(lib), **kwargs)
        out = dp(lib.tensor(x))
        out.pow(2).sum().backward()
        res[lib] = out, [p.grad for p in dp.parameters()], dp.module[1].running_mean, dp.device_ids
    (t, tg, tm, td), (n, ng, nm, nd) = res[torch], res[numtorch]
    assert nd == td
    for a, b in [(n, t), (nm, tm), *zip(ng, tg)]:
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-5, atol=1e-6)


def test_kwargs_and_non_tensor_outputs_pass_through():
    class Echo(numtorch.nn.Module):
        def forward(self, x, *, scale=1, tag=None):
            return {"y": x * scale, "tag": tag}
    out = numtorch.nn.DataParallel(Echo())(numtorch.ones(2), scale=3, tag="t")
    assert out["tag"] == "t" and out["y"].tolist() == [3.0, 3.0]


def test_checkpoint_keys_move_between_libraries():
    torch = need_torch()
    buf = io.BytesIO()
    torch.save(torch.nn.DataParallel(_model(torch)).state_dict(), buf)
    buf.seek(0)
    dp = numtorch.nn.DataParallel(_model(numtorch))
    missing = dp.load_state_dict(numtorch.load(buf))
    assert not missing.missing_keys and not missing.unexpected_keys
    bare = _model(numtorch)
    with pytest.raises(RuntimeError):
        bare.load_state_dict(dp.state_dict())
    bare.load_state_dict(dp.module.state_dict())


def test_train_eval_propagate():
    dp = numtorch.nn.DataParallel(_model(numtorch))
    dp.eval()
    assert not dp.module[1].training
    dp.train()
    assert dp.module[1].training
