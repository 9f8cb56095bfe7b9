"""numtorch.vision.models against torchvision (fixtures from tests/make_vision_model_fixtures.py) and,
for LeNet, against the same network written in real torch."""
import json
import os
import warnings

import numpy as np
import pytest

import numtorch
from numtorch import nn
from numtorch.vision import models
from numtorch.vision.models import _utils as weights_utils
from make_vision_model_fixtures import MODEL_INPUTS, MODELS_FIXTURE, REPR_MODELS, SEEDED_MODELS, tensor_digest

with open(MODELS_FIXTURE) as _f:
    FIX = json.load(_f)


@pytest.fixture
def no_init(monkeypatch):
    """Skip random initialisation: shape and key checks on the big models then cost no RNG time."""
    def skip(*args, **kwargs):
        return args[0] if args else None

    for name in ("normal_", "kaiming_normal_", "kaiming_uniform_", "uniform_", "trunc_normal_"):
        monkeypatch.setattr(nn.init, name, skip)
    monkeypatch.setattr(nn.Linear, "reset_parameters", skip)
    monkeypatch.setattr(nn.modules.conv._ConvNd, "reset_parameters", skip)


def _state_table(model):
    return [[k, list(v.shape), str(v.dtype)] for k, v in model.state_dict().items()]


@pytest.mark.filterwarnings("ignore:The default weight initialization:FutureWarning")
@pytest.mark.parametrize("name", [n for n, side in MODEL_INPUTS.items() if side is not None])
def test_state_dict_and_output_shape(name, no_init):
    model = models.get_model(name).eval()
    assert _state_table(model) == FIX[name]["state"]
    side = MODEL_INPUTS[name]
    with numtorch.no_grad():
        out = model(numtorch.zeros(1, 3, side, side))
    assert list(out.shape) == FIX[name]["out_shape"]


@pytest.mark.filterwarnings("ignore:The default weight initialization:FutureWarning")
@pytest.mark.parametrize("name", REPR_MODELS)
def test_repr(name, no_init):
    assert repr(models.get_model(name)) == FIX[name]["repr"]


# alexnet's fixture holds the default Conv2d/Linear init that resnet18's fc already covers, at 5x the cost
@pytest.mark.filterwarnings("ignore:The default weight initialization:FutureWarning")
@pytest.mark.parametrize("name", sorted(set(SEEDED_MODELS) - {"alexnet"}))
def test_seeded_init_and_eval_output(name):
    numtorch.manual_seed(0)
    model = models.get_model(name).eval()
    state = model.state_dict()
    bad = [k for k, v in state.items() if tensor_digest(v.numpy()) != FIX[name]["digests"][k]]
    assert not bad, f"weights differ from torchvision's for {bad[:5]}"
    side = SEEDED_MODELS[name]
    numtorch.manual_seed(1)
    x = numtorch.randn(2, 3, side, side)
    with numtorch.no_grad():
        y = model(x).double().numpy()
    np.testing.assert_allclose(y[:, :20], FIX[name]["eval_head"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(y.sum(1), FIX[name]["eval_sum"], rtol=1e-4, atol=1e-4)


def test_resnet18_train_step_gradients(no_init):
    model = models.resnet18(num_classes=5)
    with numtorch.no_grad():
        for p in model.parameters():
            p.fill_(0.01)
    x = numtorch.randn(2, 3, 16, 16)
    loss = nn.functional.cross_entropy(model(x), numtorch.tensor([1, 3]))
    loss.backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())
    assert model.bn1.num_batches_tracked.item() == 1


def test_googlenet_outputs_and_options(no_init):
    with pytest.warns(FutureWarning, match="default weight initialization of GoogleNet"):
        net = models.googlenet()
    with numtorch.no_grad():
        for p in net.parameters():
            p.fill_(0.01)
    out = net(numtorch.zeros(2, 3, 64, 64))
    assert isinstance(out, models.GoogLeNetOutputs) and out.logits.shape == out.aux_logits1.shape == (2, 1000)
    net.eval()
    assert isinstance(net(numtorch.zeros(1, 3, 64, 64)), numtorch.Tensor)
    plain = models.googlenet(aux_logits=False, init_weights=False, transform_input=True)
    assert plain.aux1 is None and not any(k.startswith("aux") for k in plain.state_dict())
    with pytest.raises(ValueError, match="blocks length should be 3 instead of 2"):
        models.GoogLeNet(blocks=[1, 2], init_weights=False)


def test_inception_outputs_and_options(no_init):
    with pytest.warns(FutureWarning, match="default weight initialization of inception_v3"):
        net = models.inception_v3()
    with numtorch.no_grad():
        for p in net.parameters():
            p.fill_(0.001)
    net.AuxLogits = nn.Flatten()  # the real head needs 299x299 inputs; only the plumbing is checked here
    out = net(numtorch.zeros(2, 3, 75, 75))
    assert isinstance(out, models.InceptionOutputs) and out.logits.shape == (2, 1000)
    assert out.aux_logits.shape == (2, 768 * 3 * 3)
    plain = models.inception_v3(aux_logits=False, init_weights=False, transform_input=True)
    assert plain.AuxLogits is None and not any(k.startswith("AuxLogits") for k in plain.state_dict())
    with pytest.raises(ValueError, match="length of inception_blocks should be 7 instead of 1"):
        models.Inception3(inception_blocks=[1], init_weights=False)


def test_densenet_old_checkpoint_keys(tmp_path, no_init):
    _need_serialization()
    src = models.densenet121(num_classes=4)
    state = src.state_dict()
    # checkpoints that old predate BatchNorm's num_batches_tracked buffer
    old = {k.replace("norm1.", "norm.1.").replace("conv2.", "conv.2."): v for k, v in state.items()
           if not k.endswith("num_batches_tracked")}
    assert "features.denseblock1.denselayer1.norm.1.weight" in old
    numtorch.save(old, tmp_path / "old.pth")
    assert list(models.densenet121(weights=tmp_path / "old.pth", num_classes=4).state_dict()) == list(state)


def test_list_and_get_model():
    names = models.list_models()
    assert names == sorted(set(FIX) | {"lenet"})
    assert models.list_models(models) == names
    assert models.list_models(include="resnet*", exclude=["*101*", "*152"]) == [
        "resnet18", "resnet34", "resnet50"]
    assert models.list_models(include=["vgg11*", "alex*"]) == ["alexnet", "vgg11", "vgg11_bn"]
    assert models.get_model_builder("ResNet18") is models.resnet18
    with pytest.raises(ValueError, match="Unknown model"):
        models.get_model("resnet9000")


def test_builder_argument_errors():
    with pytest.raises(ValueError, match="BasicBlock only supports groups=1"):
        models.resnet18(groups=2)
    with pytest.raises(NotImplementedError, match="Dilation > 1"):
        models.resnet18(replace_stride_with_dilation=[False, False, True])
    with pytest.raises(ValueError, match="replace_stride_with_dilation"):
        models.ResNet(models.resnet.BasicBlock, [1, 1, 1, 1], replace_stride_with_dilation=[True])
    with pytest.raises(ValueError, match="Unsupported SqueezeNet version 2_0"):
        models.SqueezeNet("2_0")
    with pytest.raises(ValueError, match="stride should be 1 or 2"):
        models.mobilenetv2.InvertedResidual(8, 8, 3, 6)
    with pytest.raises(ValueError, match="inverted_residual_setting"):
        models.MobileNetV2(inverted_residual_setting=[[1, 2]])
    with pytest.raises(ValueError, match="'groups' expected value 32 but got 4"):
        models.resnext50_32x4d(groups=4)
    with pytest.raises(TypeError, match="weights must be"):
        models.lenet(weights=3)
    with pytest.raises(FileNotFoundError, match="neither a checkpoint file nor a weights name"):
        models.resnet18(weights="/no/such/file.pth")


def test_mobilenet_width_mult_channels(no_init):
    m = models.mobilenet_v2(width_mult=0.5, num_classes=3)
    assert m.last_channel == 1280 and m.features[0][0].out_channels == 16
    assert models.mobilenetv2._make_divisible(37.5, 8) == 40


# ---------------------------------------------------------------- LeNet against real torch
def _torch_lenet(torch, in_channels, num_classes):
    tnn, F = torch.nn, torch.nn.functional

    class Net(tnn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = tnn.Conv2d(in_channels, 6, 5)
            self.conv2 = tnn.Conv2d(6, 16, 5)
            self.fc1 = tnn.Linear(16 * 5 * 5, 120)
            self.fc2 = tnn.Linear(120, 84)
            self.fc3 = tnn.Linear(84, num_classes)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))

    return Net()


@pytest.mark.parametrize("in_channels,num_classes", [(3, 10), (1, 4)])
def test_lenet_matches_torch(oracle, in_channels, num_classes):
    torch = oracle
    torch.manual_seed(5)
    ref = _torch_lenet(torch, in_channels, num_classes)
    numtorch.manual_seed(5)
    net = models.lenet(in_channels=in_channels, num_classes=num_classes)
    assert list(net.state_dict()) == list(ref.state_dict())
    for (k, a), b in zip(net.state_dict().items(), ref.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    assert repr(net).replace("LeNet", "Net") == repr(ref)
    x = np.random.default_rng(0).standard_normal((3, in_channels, 32, 32)).astype(np.float32)
    y_ref = ref(torch.from_numpy(x))
    y = net(numtorch.from_numpy(x))
    np.testing.assert_allclose(y.detach().numpy(), y_ref.detach().numpy(), rtol=1e-5, atol=1e-6)
    y_ref.sum().backward()
    y.sum().backward()
    for (k, p), q in zip(net.named_parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=k)


# ---------------------------------------------------------------- weights= and pretrained=
def _need_serialization():
    if not (hasattr(numtorch, "save") and hasattr(numtorch, "load")):
        pytest.skip("numtorch.save/load not available")


def test_weights_from_local_torch_checkpoint(oracle, tmp_path):
    _need_serialization()
    torch = oracle
    torch.manual_seed(3)
    ref = _torch_lenet(torch, 1, 10)
    path = tmp_path / "lenet.pth"
    torch.save(ref.state_dict(), path)
    net = models.lenet(weights=str(path), in_channels=1)
    for a, b in zip(net.state_dict().values(), ref.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        again = models.lenet(pretrained=path, in_channels=1)
    np.testing.assert_array_equal(again.fc3.bias.detach().numpy(), ref.fc3.bias.detach().numpy())


def test_weights_local_path_roundtrip_squeezenet(tmp_path):
    _need_serialization()
    numtorch.manual_seed(0)
    src = models.squeezenet1_1(num_classes=7)
    path = tmp_path / "sq.pth"
    numtorch.save(src.state_dict(), path)
    dst = models.squeezenet1_1(weights=path, num_classes=7)
    for a, b in zip(dst.state_dict().values(), src.state_dict().values()):
        assert numtorch.equal(a, b)


@pytest.fixture
def offline(monkeypatch, tmp_path):
    # connection refused at once: the download path fails fast and deterministically
    monkeypatch.setattr(weights_utils, "_HUB", "http://127.0.0.1:9/models/")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    return tmp_path / "torch_home" / "hub" / "checkpoints"


def test_named_weights_offline_error(offline):
    with pytest.raises(RuntimeError) as info:
        models.squeezenet1_1(weights="IMAGENET1K_V1")
    msg = str(info.value)
    assert "squeezenet1_1-b8a52dc0.pth" in msg and str(offline) in msg and "weights=" in msg
    with pytest.raises(RuntimeError, match="squeezenet1_0-b66bff10.pth"):
        models.squeezenet1_0(weights="SqueezeNet1_0_Weights.DEFAULT")
    with pytest.raises(ValueError, match="'num_classes' expected value 1000 but got 10"):
        models.squeezenet1_1(weights="DEFAULT", num_classes=10)


def test_pretrained_true_warns_and_fails_offline(offline):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError, match="squeezenet1_1-b8a52dc0.pth"):
            models.squeezenet1_1(pretrained=True)
    texts = [str(w.message) for w in caught]
    assert any("'pretrained' is deprecated since 0.13" in t for t in texts)
    assert any("weights=SqueezeNet1_1_Weights.IMAGENET1K_V1" in t for t in texts)
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        m = models.squeezenet1_1(pretrained=False, num_classes=3)
    assert m.classifier[1].out_channels == 3


def test_named_weights_from_hub_cache(offline):
    _need_serialization()
    numtorch.manual_seed(0)
    src = models.squeezenet1_1()
    os.makedirs(offline)
    numtorch.save(src.state_dict(), offline / "squeezenet1_1-b8a52dc0.pth")
    numtorch.manual_seed(1)
    dst = models.squeezenet1_1(weights="DEFAULT")
    assert all(numtorch.equal(a, b) for a, b in zip(dst.state_dict().values(), src.state_dict().values()))


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2"])
def test_torchvision_layout_checkpoint_from_torch_loads(oracle, tmp_path, name):
    # A file torch.save wrote with torchvision's keys, shapes and dtypes (taken from the torchvision
    # fixture) loads strictly into numtorch's model through numtorch.load, values intact.
    _need_serialization()
    torch = oracle
    gen = torch.Generator().manual_seed(0)
    state = {}
    for key, shape, dtype in FIX[name]["state"]:
        dt = getattr(torch, dtype.split(".")[1])
        state[key] = (torch.randn(shape, generator=gen) if dt.is_floating_point
                      else torch.randint(0, 9, shape, generator=gen).to(dt))
    path = tmp_path / f"{name}.pth"
    torch.save(state, path)
    model = getattr(models, name)()
    result = model.load_state_dict(numtorch.load(path))
    assert not result.missing_keys and not result.unexpected_keys
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), state[key].numpy(), err_msg=key)
