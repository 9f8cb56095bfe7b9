"""torch.serialization.register_package / location_tag / default_restore_location against torch."""
import io

import numpy as np
import pytest

import numtorch

torch = pytest.importorskip("torch")


@pytest.fixture
def registries(monkeypatch):
    """Both libraries' registries, restored after the test."""
    from numtorch._serialization import _packages
    monkeypatch.setattr(_packages, "registry", list(_packages.registry))
    monkeypatch.setattr(torch.serialization, "_package_registry", list(torch.serialization._package_registry))


def _tag_all(obj):
    return "mydev"


def _claim_mydev(obj, location):
    if location == "mydev":
        return obj


def test_builtin_tags_and_restore():
    for lib in (numtorch, torch):
        s = lib.ones(3).untyped_storage()
        assert lib.serialization.location_tag(s) == "cpu"
        assert lib.serialization.default_restore_location(s, "cpu").nbytes() == 12
    message = r"don't know how to restore data location of torch.storage.UntypedStorage \(tagged with mydev\)"
    with pytest.raises(RuntimeError, match=message):
        numtorch.serialization.default_restore_location(numtorch.ones(3).untyped_storage(), "mydev")
    with pytest.raises(RuntimeError, match="don't know how to restore data location"):
        torch.serialization.default_restore_location(torch.ones(3).untyped_storage(), "mydev")


def test_custom_tagger_and_deserializer_round_trip_with_torch(registries):
    for lib in (numtorch, torch):
        lib.serialization.register_package(5, _tag_all, _claim_mydev)
    seen = []

    def spy(storage, location):
        seen.append(location)
        return storage
    buf = io.BytesIO()
    numtorch.save({"w": numtorch.arange(6.0).reshape(2, 3)}, buf)
    # torch reads the tag numtorch wrote, and numtorch reads its own file through the custom deserializer
    buf.seek(0)
    out_t = torch.load(buf, map_location=spy)
    buf.seek(0)
    out_n = numtorch.load(buf)
    assert seen == ["mydev"]
    np.testing.assert_array_equal(out_n["w"].numpy(), out_t["w"].numpy())
    # and the other way: a file torch tagged through its own registry loads in numtorch
    buf = io.BytesIO()
    torch.save(torch.arange(4), buf)
    buf.seek(0)
    np.testing.assert_array_equal(numtorch.load(buf).numpy(), np.arange(4))


def test_unknown_location_and_priority_ties(registries):
    for lib in (numtorch, torch):
        lib.serialization.register_package(5, _tag_all, lambda obj, location: None)
    buf = io.BytesIO()
    numtorch.save(numtorch.ones(2), buf)
    errors = []
    for lib in (numtorch, torch):
        buf.seek(0)
        with pytest.raises(RuntimeError) as info:
            lib.load(buf)
        errors.append(str(info.value))
    assert "tagged with mydev" in errors[0] and "tagged with mydev" in errors[1]
    for lib in (numtorch, torch):
        with pytest.raises(TypeError, match="'<' not supported"):
            lib.serialization.register_package(5, _tag_all, _claim_mydev)
