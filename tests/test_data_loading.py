"""numtorch.utils.data in one process: samplers, datasets, random_split, collation and DataLoader
options, each compared with real torch (same seeds must give the same orders, batches and errors)."""
import collections
import os
import warnings

import numpy as np
import pytest

import numtorch
from conftest import assert_same, lib_of, need_torch, torch

Point = collections.namedtuple("Point", "x y")


def same_tree(n, t, what="result"):
    """numtorch structure ``n`` mirrors torch's ``t``: container types, tensors, plain values."""
    if torch is not None and isinstance(t, torch.Tensor):
        assert_same(n, t, what=what)
    elif isinstance(t, collections.abc.Mapping):
        assert type(n) is type(t) and list(n) == list(t), f"{what}: {n!r} vs {t!r}"
        for k in t:
            same_tree(n[k], t[k], f"{what}[{k!r}]")
    elif isinstance(t, collections.abc.Sequence) and not isinstance(t, (str, bytes)):
        assert type(n) is type(t) and len(n) == len(t), f"{what}: {n!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(n, t)):
            same_tree(a, b, f"{what}[{i}]")
    elif isinstance(t, np.ndarray):
        assert isinstance(n, np.ndarray) and n.dtype == t.dtype
        np.testing.assert_array_equal(n, t)
    else:
        assert type(n) is type(t) and n == t, f"{what}: {n!r} vs {t!r}"


def both(fn, messages=True):
    """Run ``fn(lib)`` under torch and numtorch; compare results, or exception types and messages."""
    need_torch()
    out = {}
    for name in ("torch", "numtorch"):
        lib = lib_of(name)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                out[name] = (fn(lib), None, [str(x.message) for x in w])
            except Exception as e:
                out[name] = (None, e, [str(x.message) for x in w])
    (t, te, tw), (n, ne, nw) = out["torch"], out["numtorch"]
    if te is not None or ne is not None:
        assert type(ne) is type(te), f"numtorch {type(ne).__name__}: {ne}; torch {type(te).__name__}: {te}"
        if messages:
            assert str(ne) == str(te)
        return ne
    same_tree(n, t)
    assert nw == tw
    return n


def gen(lib, seed):
    g = lib.Generator()
    g.manual_seed(seed)
    return g


def dataset(lib, n=10):
    return lib.utils.data.TensorDataset(lib.arange(n * 3, dtype=lib.float32).reshape(n, 3), lib.arange(n))


# ---------------------------------------------------------------------------------------------- samplers
SAMPLERS = {
    "sequential": lambda lib, g: lib.utils.data.SequentialSampler(range(7)),
    "random": lambda lib, g: lib.utils.data.RandomSampler(range(9), generator=g),
    "random-1": lambda lib, g: lib.utils.data.RandomSampler(range(1), generator=g),
    "random-num-samples": lambda lib, g: lib.utils.data.RandomSampler(range(5), num_samples=13, generator=g),
    "random-fewer": lambda lib, g: lib.utils.data.RandomSampler(range(50), num_samples=7, generator=g),
    "random-replacement": lambda lib, g: lib.utils.data.RandomSampler(range(6), True, 70, generator=g),
    "random-replacement-32": lambda lib, g: lib.utils.data.RandomSampler(range(6), True, 64, generator=g),
    "random-global": lambda lib, g: lib.utils.data.RandomSampler(range(9)),
    "random-global-replacement": lambda lib, g: lib.utils.data.RandomSampler(range(9), replacement=True),
    "subset-random": lambda lib, g: lib.utils.data.SubsetRandomSampler([3, 8, 1, 20, 5], generator=g),
    "subset-random-empty": lambda lib, g: lib.utils.data.SubsetRandomSampler([], generator=g),
    "subset-random-global": lambda lib, g: lib.utils.data.SubsetRandomSampler(range(4, 12)),
    "weighted": lambda lib, g: lib.utils.data.WeightedRandomSampler([0.1, 0.9, 0.4, 0, 2.5], 20, generator=g),
    "weighted-no-replacement": lambda lib, g: lib.utils.data.WeightedRandomSampler(
        [0.1, 0.9, 0.4, 0.7, 2.5, 1.0], 4, replacement=False, generator=g),
    "weighted-tensor": lambda lib, g: lib.utils.data.WeightedRandomSampler(
        lib.tensor([1.0, 2.0, 3.0, 4.0]), 9, generator=g),
    "weighted-global": lambda lib, g: lib.utils.data.sampler.WeightedRandomSampler([1, 5, 2], 12),
    "batch": lambda lib, g: lib.utils.data.BatchSampler(range(10), 3, False),
    "batch-drop-last": lambda lib, g: lib.utils.data.BatchSampler(range(10), 3, True),
    "batch-exact": lambda lib, g: lib.utils.data.BatchSampler(range(9), 3, True),
    "batch-of-random": lambda lib, g: lib.utils.data.BatchSampler(
        lib.utils.data.RandomSampler(range(11), generator=g), 4, False),
    "distributed": lambda lib, g: lib.utils.data.DistributedSampler(range(10), 3, 1),
    "distributed-rank0-seed": lambda lib, g: lib.utils.data.DistributedSampler(range(10), 4, 0, seed=5),
    "distributed-no-shuffle": lambda lib, g: lib.utils.data.DistributedSampler(range(10), 3, 2, False),
    "distributed-drop-last": lambda lib, g: lib.utils.data.DistributedSampler(range(10), 3, 2,
                                                                            drop_last=True),
    "distributed-small": lambda lib, g: lib.utils.data.DistributedSampler(range(2), 5, 4),
    "distributed-empty": lambda lib, g: lib.utils.data.distributed.DistributedSampler(range(0), 2, 1),
}


@pytest.mark.parametrize("name", SAMPLERS)
def test_sampler_orders(name):
    def fn(lib):
        lib.manual_seed(11)
        s = SAMPLERS[name](lib, gen(lib, 3))
        # two epochs: the generator (or the global one) moves on between them
        return len(s), list(s), list(s)
    both(fn)


def test_distributed_set_epoch():
    def fn(lib):
        s = lib.utils.data.DistributedSampler(range(12), num_replicas=2, rank=1, seed=3)
        first = list(s)
        s.set_epoch(4)
        return first, list(s), s.epoch, s.total_size, s.num_samples
    both(fn)


def test_sampler_is_generic():
    both(lambda lib: (lib.utils.data.Sampler[int].__origin__.__name__,
                      lib.utils.data.Dataset[int].__origin__.__name__,
                      lib.utils.data.DataLoader[int].__origin__.__name__))


SAMPLER_ERRORS = [
    lambda lib: lib.utils.data.RandomSampler(range(3), replacement=1),
    lambda lib: lib.utils.data.RandomSampler(range(3), num_samples=0),
    lambda lib: lib.utils.data.RandomSampler(range(0)),
    lambda lib: lib.utils.data.RandomSampler(range(3), num_samples=2.0),
    lambda lib: lib.utils.data.WeightedRandomSampler([1, 2], 0),
    lambda lib: lib.utils.data.WeightedRandomSampler([1, 2], True),
    lambda lib: lib.utils.data.WeightedRandomSampler([1, 2], 3, replacement=None),
    lambda lib: lib.utils.data.WeightedRandomSampler([[1, 2]], 3),
    lambda lib: list(lib.utils.data.WeightedRandomSampler([1, 2], 3, replacement=False)),
    lambda lib: list(lib.utils.data.WeightedRandomSampler([-1, 2], 3)),
    lambda lib: lib.utils.data.BatchSampler(range(3), 0, False),
    lambda lib: lib.utils.data.BatchSampler(range(3), True, False),
    lambda lib: lib.utils.data.BatchSampler(range(3), 2, 0),
    lambda lib: lib.utils.data.DistributedSampler(range(3), 2, 2),
    lambda lib: lib.utils.data.DistributedSampler(range(3), 2, -1),
    lambda lib: lib.utils.data.DistributedSampler(range(3)),
]


@pytest.mark.parametrize("i", range(len(SAMPLER_ERRORS)))
def test_sampler_errors(i):
    # multinomial's own messages are worded by another module; the type is what matters here
    both(SAMPLER_ERRORS[i], messages=i not in (8, 9))


# ---------------------------------------------------------------------------------------------- datasets
def test_tensor_dataset():
    def fn(lib):
        ds = dataset(lib, 6)
        return len(ds), ds[2], ds[-1], ds[1:4], ds[lib.tensor([0, 5])]
    both(fn)


DATASET_CASES = {
    "concat": lambda lib: _items(dataset(lib, 3) + dataset(lib, 4) + dataset(lib, 2)),
    "concat-negative": lambda lib: (lib.utils.data.ConcatDataset([range(3), range(10, 12)])[-1],
                                    lib.utils.data.ConcatDataset([range(3), range(10, 12)]).cumulative_sizes),
    "concat-empty-member": lambda lib: _items(lib.utils.data.ConcatDataset([range(0), range(2), range(0)])),
    "subset": lambda lib: _items(lib.utils.data.Subset(dataset(lib, 8), [7, 0, 3])),
    "subset-list-index": lambda lib: lib.utils.data.Subset(list(range(10, 20)), [2, 4])[0],
    "subset-getitems": lambda lib: lib.utils.data.Subset(dataset(lib, 8), [7, 0, 3]).__getitems__([2, 0]),
    "stack-tuple": lambda lib: _items(lib.utils.data.StackDataset(range(3), dataset(lib, 3))),
    "stack-dict": lambda lib: _items(lib.utils.data.StackDataset(a=range(3), b=["x", "y", "z"])),
    "stack-getitems": lambda lib: lib.utils.data.StackDataset(
        lib.utils.data.Subset(range(9), [1, 2, 3]), range(3)).__getitems__([2, 1]),
    "stack-dict-getitems": lambda lib: lib.utils.data.StackDataset(
        a=lib.utils.data.Subset(range(9), [4, 5]), b=range(2)).__getitems__([1, 0]),
    "chain": lambda lib: (list(_Count(lib, 3) + _Count(lib, 2)), len(lib.utils.data.ChainDataset(
        [_Count(lib, 3), _Count(lib, 4)]))),
}


def _items(ds):
    return len(ds), [ds[i] for i in range(len(ds))]


def _Count(lib, n):
    class Count(lib.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(n))

        def __len__(self):
            return n
    return Count()


@pytest.mark.parametrize("name", DATASET_CASES)
def test_datasets(name):
    both(DATASET_CASES[name])


DATASET_ERRORS = [
    lambda lib: lib.utils.data.TensorDataset(lib.zeros(3), lib.zeros(4)),
    lambda lib: lib.utils.data.ConcatDataset([]),
    lambda lib: lib.utils.data.ConcatDataset([range(2), _Count(lib, 2)]),
    lambda lib: lib.utils.data.ConcatDataset([range(2)])[-3],
    lambda lib: lib.utils.data.ConcatDataset([range(2)])[2],
    lambda lib: lib.utils.data.StackDataset(range(2), b=range(2)),
    lambda lib: lib.utils.data.StackDataset(),
    lambda lib: lib.utils.data.StackDataset(range(2), range(3)),
    lambda lib: lib.utils.data.StackDataset(a=range(2), b=range(3)),
    lambda lib: list(lib.utils.data.ChainDataset([range(2)])),
    lambda lib: len(lib.utils.data.ChainDataset([range(2)])),
    lambda lib: type("Sub", (lib.utils.data.Subset,), {"__getitem__": lambda s, i: i})(range(3), [0]),
    lambda lib: lib.utils.data.IterableDataset(),
    # the seeds' old keyword form
    lambda lib: lib.utils.data.TensorDataset(data_tensor=lib.ones(2), target_tensor=lib.ones(2)),
]


@pytest.mark.parametrize("i", range(len(DATASET_ERRORS)))
def test_dataset_errors(i):
    both(DATASET_ERRORS[i], messages=i != 12)


def test_concat_cummulative_sizes_warns():
    both(lambda lib: lib.utils.data.ConcatDataset([range(2), range(3)]).cummulative_sizes)


RANDOM_SPLITS = [
    ([3, 7], 10), ([0.3, 0.7], 10), ([0.5, 0.5], 7), ([0.33, 0.33, 0.34], 11), ([1.0], 4), ([0.1, 0.9], 3),
    ([0, 5], 5), ([0.25, 0.25, 0.25, 0.25], 2), ([2, 2], 5), ([0.5, 0.6], 10), ([1.2, -0.2], 10),
]


@pytest.mark.parametrize("lengths,n", RANDOM_SPLITS)
def test_random_split(lengths, n):
    def fn(lib):
        parts = lib.utils.data.random_split(range(n), lengths, generator=gen(lib, 42))
        return [list(p) for p in parts], [p.indices for p in parts]
    both(fn)


def test_random_split_default_generator():
    def fn(lib):
        lib.manual_seed(9)
        parts = lib.utils.data.random_split(dataset(lib, 10), [4, 6])
        return [p.indices for p in parts], lib.rand(2)
    both(fn)


# ---------------------------------------------------------------------------------------------- collation
class Frozen(collections.abc.Mapping):
    def __init__(self, d):
        self.d = dict(d)

    def __getitem__(self, k):
        return self.d[k]

    def __iter__(self):
        return iter(self.d)

    def __len__(self):
        return len(self.d)


class Seq(collections.abc.Sequence):
    def __init__(self, items):
        self.items = list(items)

    def __getitem__(self, i):
        return self.items[i]

    def __len__(self):
        return len(self.items)

    def __eq__(self, other):
        return type(other) is Seq and other.items == self.items


COLLATE_CASES = {
    "tensors": lambda lib: [lib.arange(3.0), lib.ones(3)],
    "int-tensors-0d": lambda lib: [lib.tensor(1), lib.tensor(5)],
    "bool-tensors": lambda lib: [lib.tensor([True]), lib.tensor([False])],
    "float64-tensors": lambda lib: [lib.zeros(2, 2, dtype=lib.float64)] * 3,
    "empty-tensors": lambda lib: [lib.zeros(0, 4), lib.zeros(0, 4)],
    "numpy-arrays": lambda lib: [np.arange(4, dtype=np.int32), np.ones(4, np.int32)],
    "numpy-float16": lambda lib: [np.ones((2, 1), np.float16)] * 2,
    "numpy-scalars": lambda lib: [np.float32(1.5), np.float32(2)],
    "numpy-int-scalars": lambda lib: [np.int16(1), np.int16(-3)],
    "numpy-bool-scalars": lambda lib: [np.bool_(True), np.bool_(False)],
    "floats": lambda lib: [1.5, 2.0, -3.25],
    "ints": lambda lib: [1, 2, 3],
    "bools": lambda lib: [True, False],
    "strings": lambda lib: ["a", "bc"],
    "bytes": lambda lib: [b"a", b"bc"],
    "dicts": lambda lib: [{"x": lib.ones(2), "y": 1, "s": "u"}, {"x": lib.zeros(2), "y": 2, "s": "v"}],
    "ordered-dicts": lambda lib: [collections.OrderedDict(b=1.0, a=np.int64(2))] * 2,
    "frozen-mapping": lambda lib: [Frozen({"k": 1}), Frozen({"k": 2})],
    "namedtuples": lambda lib: [Point(lib.ones(1), 2.0), Point(lib.zeros(1), 3.0)],
    "tuples": lambda lib: [(lib.ones(2), 1, "a"), (lib.zeros(2), 2, "b")],
    "lists": lambda lib: [[1, 2.5], [3, 4.5]],
    "custom-sequence": lambda lib: [Seq([1, 2]), Seq([3, 4])],
    "nested": lambda lib: [{"a": [(1, np.zeros(2)), {"b": "s"}]}, {"a": [(2, np.ones(2)), {"b": "t"}]}],
    "mismatched-sizes": lambda lib: [lib.ones(3), lib.ones(4)],
    "mismatched-lists": lambda lib: [[1, 2], [3]],
    "numpy-strings": lambda lib: [np.array(["a"]), np.array(["b"])],
    "numpy-objects": lambda lib: [np.array([None]), np.array([None])],
    "unsupported": lambda lib: [object(), object()],
    "none": lambda lib: [None, None],
    "sets": lambda lib: [{1}, {2}],
}


@pytest.mark.parametrize("name", COLLATE_CASES)
def test_default_collate(name):
    def fn(lib):
        batch = COLLATE_CASES[name](lib)
        out = lib.utils.data.default_collate(batch)
        return out if name != "unsupported" else None
    both(fn, messages=name not in ("unsupported",))


def test_default_collate_unsupported_message():
    err = both(lambda lib: lib.utils.data.default_collate([object()]), messages=False)
    assert str(err) == ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                        "found <class 'object'>")


CONVERT_CASES = {
    "numpy": lambda lib: np.arange(3.0),
    "numpy-scalar": lambda lib: np.int8(4),
    "numpy-str-array": lambda lib: np.array(["x"]),
    "numpy-str-scalar": lambda lib: np.str_("x"),
    "tensor": lambda lib: lib.ones(2),
    "dict": lambda lib: {"a": np.zeros(2), "b": [np.int32(1), "s"]},
    "frozen-mapping": lambda lib: Frozen({"a": np.ones(1)}),
    "namedtuple": lambda lib: Point(np.ones(2), 1),
    "tuple": lambda lib: (np.ones(2), 3, "z"),
    "custom-sequence": lambda lib: Seq([np.float64(1.0), 2]),
    "string": lambda lib: "abc",
    "number": lambda lib: 3.5,
}


@pytest.mark.parametrize("name", CONVERT_CASES)
def test_default_convert(name):
    both(lambda lib: lib.utils.data.default_convert(CONVERT_CASES[name](lib)))


def test_collate_shares_numpy_memory_semantics():
    # default_convert keeps as_tensor's sharing: writing the array shows through the tensor
    a = np.zeros(3)
    t = numtorch.utils.data.default_convert(a)
    a[0] = 5
    assert t[0].item() == 5.0


# ---------------------------------------------------------------------------------------------- DataLoader
def _loader_cases():
    return {
        "default": dict(),
        "batch4": dict(batch_size=4),
        "batch4-drop-last": dict(batch_size=4, drop_last=True),
        "shuffle": dict(batch_size=3, shuffle=True),
        "shuffle-global": dict(batch_size=3, shuffle=True, gen=False),
        "no-batch": dict(batch_size=None),
        "no-batch-shuffle": dict(batch_size=None, shuffle=True),
        "sampler": dict(batch_size=2, sampler=lambda lib, g: lib.utils.data.SubsetRandomSampler([1, 5, 7],
                                                                                           generator=g)),
        "sampler-list": dict(batch_size=2, sampler=lambda lib, g: [9, 0, 4]),
        "weighted": dict(batch_size=5, sampler=lambda lib, g: lib.utils.data.WeightedRandomSampler(
            [1.0] * 5 + [5.0] * 5, 12, generator=g)),
        "batch-sampler": dict(batch_sampler=lambda lib, g: lib.utils.data.BatchSampler(
            lib.utils.data.RandomSampler(range(10), generator=g), 4, True)),
        "batch-sampler-list": dict(batch_sampler=lambda lib, g: [[1, 2], [9], [0, 3, 5]]),
        "collate-fn": dict(batch_size=3, collate_fn=lambda batch: [len(batch), batch[0][1]]),
        "pin-memory": dict(batch_size=4, pin_memory=True),
        "pin-memory-device": dict(batch_size=4, pin_memory=True, pin_memory_device="cuda"),
        "distributed": dict(batch_size=2, sampler=lambda lib, g: lib.utils.data.DistributedSampler(
            range(10), 3, 0, seed=4)),
        "random-replacement": dict(batch_size=4, sampler=lambda lib, g: lib.utils.data.RandomSampler(
            range(10), True, 9, generator=g)),
    }


@pytest.mark.parametrize("name", list(_loader_cases()))
def test_dataloader_map_style(name):
    def fn(lib):
        kw = dict(_loader_cases()[name])
        lib.manual_seed(123)
        g = gen(lib, 5) if kw.pop("gen", True) else None
        for key in ("sampler", "batch_sampler"):
            if key in kw:
                kw[key] = kw[key](lib, g)
        if "sampler" in kw or "batch_sampler" in kw:
            g = None if "shuffle" not in kw else g
        loader = lib.utils.data.DataLoader(dataset(lib), generator=g, **kw)
        epochs = [list(loader) for _ in range(2)]
        return len(loader), epochs, lib.rand(2)
    both(fn)


class _Stream:
    """An iterable dataset of ``n`` (x, y) pairs, sharded across workers by get_worker_info."""

    def __init__(self, lib, n, length=None):
        self.lib, self.n, self.length = lib, n, length

    def __iter__(self):
        info = self.lib.utils.data.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        for i in range(start, self.n, step):
            yield {"x": np.full(2, i, np.float32), "y": i}

    def __len__(self):
        return self.n if self.length is None else self.length

    def __repr__(self):
        return f"Stream({self.n})"


def stream(lib, n, length=None):
    cls = type("Stream", (_Stream, lib.utils.data.IterableDataset), {})
    return cls(lib, n, length)


ITERABLE_CASES = {
    "batch3": dict(batch_size=3),
    "batch3-drop-last": dict(batch_size=3, drop_last=True),
    "no-batch": dict(batch_size=None),
    "default": dict(),
    "short-len": dict(batch_size=2, length=3),
}


@pytest.mark.parametrize("name", ITERABLE_CASES)
def test_dataloader_iterable(name):
    def fn(lib):
        kw = dict(ITERABLE_CASES[name])
        ds = stream(lib, 7, kw.pop("length", None))
        loader = lib.utils.data.DataLoader(ds, **kw)
        n = len(loader)
        return n, list(loader), list(loader)
    both(fn)


def test_dataloader_base_seed_draws_from_generator():
    # creating an iterator draws the workers' base seed from the loader's generator, even with no workers
    def fn(lib):
        g = gen(lib, 1)
        loader = lib.utils.data.DataLoader(range(4), generator=g)
        it = iter(loader)
        return it._base_seed, lib.randint(0, 100, (3,), generator=g), [int(x) for x in it]
    both(fn)


LOADER_ERRORS = [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(num_workers=1, prefetch_factor=-1),
    dict(persistent_workers=True), dict(shuffle=True, sampler=[1]), dict(batch_sampler=[[1]], batch_size=2),
    dict(batch_sampler=[[1]], shuffle=True), dict(batch_sampler=[[1]], drop_last=True),
    dict(batch_size=None, drop_last=True), dict(multiprocessing_context="fork"),
    dict(num_workers=1, multiprocessing_context="nope"), dict(num_workers=1, multiprocessing_context=3),
    dict(batch_size=0), dict(iterable=True, shuffle=True), dict(iterable=True, sampler=[0]),
    dict(iterable=True, batch_sampler=[[0]]), dict(timeout=2, iterate=True),
]


@pytest.mark.parametrize("i", range(len(LOADER_ERRORS)))
def test_dataloader_errors(i):
    def fn(lib):
        kw = dict(LOADER_ERRORS[i])
        ds = stream(lib, 3) if kw.pop("iterable", False) else dataset(lib, 4)
        iterate = kw.pop("iterate", False)
        loader = lib.utils.data.DataLoader(ds, **kw)
        return next(iter(loader)) if iterate else None
    # the reprs of a sampler or context in a message differ by module name
    both(fn, messages=i not in (15, 16))


def test_dataloader_attribute_freeze():
    def fn(lib):
        loader = lib.utils.data.DataLoader(range(3))
        loader.num_workers = 0
        loader.batch_size = 2
    both(fn)


def test_iterable_length_warning():
    def fn(lib):
        loader = lib.utils.data.DataLoader(stream(lib, 5, length=2), batch_size=None)
        len(loader)
        return list(loader)
    both(fn)


def test_worker_info_is_none_in_main():
    both(lambda lib: lib.utils.data.get_worker_info())


def test_public_names():
    need_torch()
    for name in numtorch.utils.data.__all__:
        assert hasattr(torch.utils.data, name), name
    for mod in ("sampler", "dataset", "dataloader", "distributed"):
        assert hasattr(numtorch.utils.data, mod)


def test_too_many_workers_warns():
    both(lambda lib: lib.utils.data.DataLoader(range(3), num_workers=os.cpu_count() * 4 + 1).num_workers)


def test_seed_weighted_sampler_loader():
    # the study notes' example: weight 2 for label 1, nine draws in batches of three
    def fn(lib):
        lib.manual_seed(0)
        data = lib.utils.data.TensorDataset(lib.arange(8.0).reshape(8, 1), lib.tensor([0, 1] * 4))
        weights = [2 if label == 1 else 1 for _, label in data]
        sampler = lib.utils.data.sampler.WeightedRandomSampler(weights, num_samples=9, replacement=True)
        return list(lib.utils.data.DataLoader(data, batch_size=3, sampler=sampler))
    both(fn)


def test_collate_with_custom_map():
    # torch's documented extension point: a copy of the default map plus a handler for a new type
    def fn(lib):
        from importlib import import_module
        c = import_module(f"{lib.__name__}.utils.data._utils.collate")
        fmap = dict(c.default_collate_fn_map)
        fmap[Point] = lambda batch, *, collate_fn_map: ("points", len(batch))
        batch = [{"p": Point(1, 2), "t": lib.ones(2)}, {"p": Point(3, 4), "t": lib.zeros(2)}]
        return c.collate(batch, collate_fn_map=fmap)
    both(fn)

    def no_map(lib):
        from importlib import import_module
        c = import_module(f"{lib.__name__}.utils.data._utils.collate")
        return c.collate([Point(1, "a")], collate_fn_map=None)
    both(no_map)
