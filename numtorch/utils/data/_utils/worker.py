"""The loop each DataLoader worker process runs, and ``get_worker_info``."""
import dataclasses
import os
import queue
import random

import numpy as np

import numtorch

from . import ExceptionWrapper, shm

_worker_info = None

# how often an idle worker checks that it is still wanted
_POLL_INTERVAL = 0.2


@dataclasses.dataclass(frozen=True)
class WorkerInfo:
    """What a DataLoader worker knows about itself: ``id``, ``num_workers``, ``seed``, ``dataset``."""

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str = "multiprocessing"


def get_worker_info():
    """Information about the current DataLoader worker process; ``None`` in the main process."""
    return _worker_info


@dataclasses.dataclass(frozen=True)
class _IterableDatasetStopIteration:
    worker_id: int


@dataclasses.dataclass(frozen=True)
class _ResumeIteration:
    seed: object = None


class _ParentWatchdog:
    """Tells whether the process that started this worker is still alive (we get re-parented if not)."""

    def __init__(self):
        self.manager_pid = os.getppid()
        self.manager_dead = False

    def is_alive(self):
        if not self.manager_dead:
            self.manager_dead = os.getppid() != self.manager_pid
        return not self.manager_dead


def _numpy_seed(base_seed, worker_id):
    # torch hashes these four words exactly as NumPy's SeedSequence does, so NumPy computes it for us
    words = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return np.random.SeedSequence(words).generate_state(4)


def _seed_worker(base_seed, worker_id):
    seed = base_seed + worker_id
    random.seed(seed)
    numtorch.manual_seed(seed)
    # torch seeds NumPy's legacy global state in workers too, so datasets drawing from it match
    np.random.seed(_numpy_seed(base_seed, worker_id))
    return seed


def _fetch_one(fetcher, index, dataset_kind, worker_id):
    from ..dataloader import _DatasetKind
    try:
        return shm.encode(fetcher.fetch(index)), False
    except Exception as e:
        shm.release()
        if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
            return _IterableDatasetStopIteration(worker_id), True
        return ExceptionWrapper(where=f"in DataLoader worker process {worker_id}"), False


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation, collate_fn,
                 drop_last, base_seed, init_fn, worker_id, num_workers, persistent_workers, shm_token):
    """Serve ``(task index, sampler index)`` requests from ``index_queue`` until told to stop."""
    global _worker_info
    from ..dataloader import _DatasetKind
    watchdog = _ParentWatchdog()
    try:
        shm.set_owner(shm_token[0], shm_token[1], worker_id)
        numtorch.set_num_threads(1)
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn,
                                                  drop_last)
        except Exception:
            # reported with the first task, so it surfaces where the user iterates
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        iteration_end = False
        while watchdog.is_alive():
            try:
                r = index_queue.get(timeout=_POLL_INTERVAL)
            except queue.Empty:
                # the final None can be lost when the main process's queue is finalised by the garbage
                # collector before the iterator's shutdown runs, so the done event alone also ends us
                if done_event.is_set():
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn,
                                                      drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                data, iteration_end = _fetch_one(fetcher, index, dataset_kind, worker_id)
            data_queue.put((idx, data))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    finally:
        shm.release()
    if watchdog.manager_dead:
        shm.sweep_orphans()
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
