"""Samplers: the orders in which DataLoader visits dataset indices, drawn as torch draws them."""
import itertools
from typing import Generic, TypeVar

import numtorch

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler", "SubsetRandomSampler",
           "WeightedRandomSampler"]

_T_co = TypeVar("_T_co", covariant=True)


class Sampler(Generic[_T_co]):
    """Base class of samplers: subclasses define ``__iter__`` over indices (and optionally ``__len__``)."""


class SequentialSampler(Sampler):
    """Samples indices ``0 .. len(data_source) - 1`` in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


def _positive_int(value, name, exc=ValueError):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise exc(f"{name} should be a positive integer value, but got {name}={value}")


class RandomSampler(Sampler):
    """Samples indices in a random permutation, or with replacement ``num_samples`` times."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        n = self.num_samples
        if not isinstance(n, int) or n <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={n}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            # a private generator seeded from the global one: one draw per epoch, as torch
            seed = int(numtorch.empty((), dtype=numtorch.int64).random_().item())
            generator = numtorch.Generator()
            generator.manual_seed(seed)
        if self.replacement:
            # drawn 32 at a time so an infinite-looking sampler stays lazy
            for _ in range(self.num_samples // 32):
                yield from numtorch.randint(high=n, size=(32,), dtype=numtorch.int64,
                                            generator=generator).tolist()
            yield from numtorch.randint(high=n, size=(self.num_samples % 32,), dtype=numtorch.int64,
                                        generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from numtorch.randperm(n, generator=generator).tolist()
            yield from numtorch.randperm(n, generator=generator).tolist()[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """Samples the given indices in a random order, without replacement."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in numtorch.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Samples ``num_samples`` indices with probabilities proportional to ``weights``."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        _positive_int(num_samples, "num_samples")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        weights_tensor = numtorch.as_tensor(weights, dtype=numtorch.double)
        if len(weights_tensor.shape) != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights_tensor.shape)}")
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        drawn = numtorch.multinomial(self.weights, self.num_samples, self.replacement,
                                     generator=self.generator)
        yield from iter(drawn.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of another sampler into lists of ``batch_size``."""

    def __init__(self, sampler, batch_size, drop_last):
        _positive_int(batch_size, "batch_size")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        it = iter(self.sampler)
        if self.drop_last:
            # zip over one shared iterator stops at the first incomplete batch
            yield from map(list, zip(*[it] * self.batch_size))
            return
        batch = list(itertools.islice(it, self.batch_size))
        while batch:
            yield batch
            batch = list(itertools.islice(it, self.batch_size))

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
