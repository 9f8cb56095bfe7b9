"""The DataLoader iterator that loads batches in worker processes and returns them in order."""
import atexit
import itertools
import multiprocessing
import os
import pickle
import queue
import signal
import time
import warnings
import weakref

from ... import _blas
from . import _utils
from ._utils import ExceptionWrapper, shm
from ._utils.worker import _IterableDatasetStopIteration, _ResumeIteration, _worker_loop
from .dataloader import _BaseDataLoaderIter

_live_iterators = weakref.WeakSet()
# how often the main process checks on its workers while it waits for a batch
_POLL = 0.1
_tokens = itertools.count()


def _shutdown_all_at_exit():
    # workers are daemons that multiprocessing would terminate anyway, but only after this handler;
    # stopping them here first lets the sweep catch every shared file they wrote
    for it in list(_live_iterators):
        for w in it._workers:
            if w.is_alive():
                w.terminate()
        for w in it._workers:
            w.join(timeout=1.0)
    shm.sweep()


atexit.register(_shutdown_all_at_exit)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Iterates once over the DataLoader's dataset, with ``num_workers`` worker processes."""

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter")
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        self._worker_init_fn = loader.worker_init_fn
        self._token = (os.getpid(), next(_tokens))
        self._worker_result_queue = ctx.Queue()
        self._shutdown = False
        self._workers_done_event = ctx.Event()
        self._index_queues = []
        self._workers = []
        _live_iterators.add(self)
        # found once here rather than in each forked worker (it reads /proc/self/maps and loads a library)
        _blas.library()
        for i in range(self._num_workers):
            index_queue = ctx.Queue()
            # the main process never waits for undelivered indices when it tears the workers down
            index_queue.cancel_join_thread()
            w = ctx.Process(target=_worker_loop, args=(
                self._dataset_kind, self._dataset, index_queue, self._worker_result_queue,
                self._workers_done_event, self._auto_collation, self._collate_fn, self._drop_last,
                self._base_seed, self._worker_init_fn, i, self._num_workers, self._persistent_workers,
                self._token))
            w.daemon = True
            try:
                w.start()
            except (TypeError, AttributeError, pickle.PicklingError):
                warnings.warn("Got pickle error when attempting to start a worker Process. This might be "
                              "because the worker Process arguments are not picklable. Python 3.14+ changed "
                              "the multiprocessing start method in non-Mac POSIX platforms to 'forkserver', "
                              "which requires the worker Process arguments to be picklable. You can also try "
                              "multiprocessing.set_start_method('fork').", stacklevel=2)
                self._shutdown_workers()
                raise
            self._index_queues.append(index_queue)
            self._workers.append(w)
        self._data_queue = self._worker_result_queue
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0
        self._rcvd_idx = 0
        # task index -> (worker id,) while pending, (worker id, data) once it arrived out of order
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            for q in self._index_queues:
                q.put(_ResumeIteration(self._shared_seed))
            pending = self._num_workers
            while pending > 0:
                idx, data = self._get_data()
                if isinstance(idx, _ResumeIteration):
                    pending -= 1
                else:
                    _discard(data)
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout=_utils.MP_STATUS_CHECK_INTERVAL):
        # waits in short slices: torch learns of a dead worker from SIGCHLD at once, we by looking
        deadline = time.monotonic() + timeout
        while True:
            try:
                return True, self._data_queue.get(timeout=max(min(_POLL, deadline - time.monotonic()), 0))
            except queue.Empty as e:
                self._raise_if_workers_died(e, crashed_only=True)
                if time.monotonic() >= deadline:
                    self._raise_if_workers_died(e)
                    return False, None
            except Exception as e:
                self._raise_if_workers_died(e)
                raise

    def _raise_if_workers_died(self, exc, crashed_only=False):
        dead = [wid for wid, w in enumerate(self._workers)
                if self._workers_status[wid] and not w.is_alive() and (w.exitcode or not crashed_only)]
        if not dead:
            return
        for wid in dead:
            self._mark_worker_as_unavailable(wid)
        w = self._workers[dead[0]]
        if w.exitcode and w.exitcode < 0:
            cause = RuntimeError(f"DataLoader worker (pid {w.pid}) is killed by signal: "
                                 f"{signal.strsignal(-w.exitcode)}. ")
        elif w.exitcode:
            cause = RuntimeError(f"DataLoader worker (pid {w.pid}) exited unexpectedly with exit code "
                                 f"{w.exitcode}. Details are lost due to multiprocessing. Rerunning with "
                                 "num_workers=0 may give better error trace.")
        else:
            cause = exc
        pids = ", ".join(str(self._workers[wid].pid) for wid in dead)
        raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly") from cause

    def _get_data(self):
        if self._timeout > 0:
            ok, data = self._try_get_data(self._timeout)
            if not ok:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            return data
        while True:
            ok, data = self._try_get_data()
            if ok:
                return data

    def _next_data(self):
        while True:
            # skip tasks whose worker is gone (an iterable dataset's worker that ran out)
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info:
                    if len(info) == 2 or self._workers_status[info[0]]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if isinstance(data, _IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    return self._process_data(data, self._task_info.pop(idx)[0])
                self._task_info[idx] += (data,)
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self):
        max_tasks = self._prefetch_factor * self._num_workers
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            wid = next(self._worker_queue_idx_cycle)
            if self._workers_status[wid]:
                # out of order, a worker already holding its share is passed over so a slow one
                # cannot hoard the prefetched tasks
                if self._in_order or self._workers_num_tasks[wid] < max_tasks // sum(self._workers_status):
                    break
        else:
            return
        self._index_queues[wid].put((self._send_idx, index))
        self._task_info[self._send_idx] = (wid,)
        self._workers_num_tasks[wid] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data, worker_idx):
        self._workers_num_tasks[worker_idx] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return shm.decode(data)

    def _mark_worker_as_unavailable(self, worker_id, shutdown=False):
        self._index_queues[worker_id].put(None)
        self._workers_status[worker_id] = False

    def _shutdown_workers(self):
        if _utils.python_exit_status or self._shutdown:
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            # a constructor that failed half-way has no task bookkeeping yet
            status = getattr(self, "_workers_status", None) or [True] * len(self._workers)
            for wid in range(len(self._workers)):
                if self._persistent_workers or status[wid]:
                    self._mark_worker_as_unavailable(wid, shutdown=True)
            for w in self._workers:
                w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)
            self._worker_result_queue.cancel_join_thread()
            self._worker_result_queue.close()
            shm.sweep(self._token[1])
            _live_iterators.discard(self)

    def __del__(self):
        if getattr(self, "_workers", None) is not None:
            self._shutdown_workers()


def _discard(data):
    if isinstance(data, shm.Payload):
        shm.decode(data)
