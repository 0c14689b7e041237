"""Worker processes of the multi-process DataLoader: ``get_worker_info``, the worker loop, the
fetchers and the exception wrapper that carries a worker's traceback to the main process.

>>> get_worker_info() is None     # in the main process
True
"""
from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info", "ExceptionWrapper"]

# How often (seconds) a blocked worker or main process checks that the other side is alive.
MP_STATUS_CHECK_INTERVAL = 5.0
# How often an idle worker checks for shutdown and for its parent's death.
_WORKER_POLL_S = 0.5


class KeyErrorMessage(str):
    """A str whose repr is itself, so that a KeyError's multi-line message prints readably."""

    __slots__ = ()

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception and its formatted traceback, picklable across processes.

    >>> try:
    ...     raise ValueError("bad")
    ... except ValueError:
    ...     w = ExceptionWrapper(where="in DataLoader worker process 0")
    >>> try:
    ...     w.reraise()
    ... except ValueError as e:
    ...     print(str(e).splitlines()[0])
    Caught ValueError in DataLoader worker process 0.
    """

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the wrapped exception type here, its message holding the original traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


class WorkerInfo:
    """What a worker knows about itself: ``id``, ``num_workers``, ``seed``, ``dataset``.

    >>> WorkerInfo(id=0, num_workers=2, seed=7, dataset=None).num_workers
    2
    """

    __initialized = False

    def __init__(self, **kwargs) -> None:
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self) -> str:
        items = [f"{k}={getattr(self, k)}" for k in self.__keys]
        return f"{self.__class__.__name__}({', '.join(items)})"


_worker_info: Optional[WorkerInfo] = None


def get_worker_info() -> Optional[WorkerInfo]:
    """In a DataLoader worker, its :class:`WorkerInfo`; ``None`` in the main process.

    Use it in an ``IterableDataset.__iter__`` to give each worker its own shard.
    """
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's IterableDataset is exhausted."""
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Start a new epoch (persistent workers)."""
    seed: Optional[int] = None


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        if kind == _DatasetKind.Map:
            return _MapDatasetFetcher(dataset, auto_collation, collate_fn, drop_last)
        return _IterableDatasetFetcher(dataset, auto_collation, collate_fn, drop_last)


class _MapDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        self.dataset, self.auto_collation = dataset, auto_collation
        self.collate_fn, self.drop_last = collate_fn, drop_last

    def fetch(self, index):
        if self.auto_collation:
            getitems = getattr(self.dataset, "__getitems__", None)
            data = getitems(index) if getitems else [self.dataset[i] for i in index]
        else:
            data = self.dataset[index]
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        self.dataset, self.auto_collation = dataset, auto_collation
        self.collate_fn, self.drop_last = collate_fn, drop_last
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def _generate_state(base_seed: int, worker_id: int) -> list:
    """The NumPy seed torch gives a worker: SeedSequence-style hashing of (worker_id, base_seed)."""
    M = 0xFFFFFFFF
    INIT_A, MULT_A, INIT_B, MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
    MIX_L, MIX_R, SHIFT = 0xCA01F9DD, 0x4973F715, 16
    entropy = [worker_id, base_seed & M, base_seed >> 32, 0]
    const_a = [INIT_A]

    def hashmix(v):
        v = (v ^ const_a[0]) & M
        const_a[0] = (const_a[0] * MULT_A) & M
        v = (v * const_a[0]) & M
        return (v ^ (v >> SHIFT)) & M

    def mix(x, y):
        r = ((MIX_L * x) & M) - ((MIX_R * y) & M) & M
        r &= M
        return (r ^ (r >> SHIFT)) & M

    pool = [hashmix(e) for e in entropy]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    const_b = INIT_B
    state = []
    for v in pool:
        v = (v ^ const_b) & M
        const_b = (const_b * MULT_B) & M
        v = (v * const_b) & M
        state.append((v ^ (v >> SHIFT)) & M)
    return state


def _seed_worker(seed: int) -> None:
    import ember
    manual_seed = getattr(ember, "manual_seed", None)
    if manual_seed is not None:
        manual_seed(seed)
    else:
        from ...._generator import default_generator
        default_generator.manual_seed(seed)


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 persistent_workers, parent_pid) -> None:
    """Serve ``(idx, indices)`` requests from ``index_queue`` with ``(idx, batch)`` on
    ``data_queue`` until ``None`` arrives or the parent process is gone."""
    try:
        # NOTE: as torch: python, ember and NumPy seeded from base_seed and the worker id.
        seed = base_seed + worker_id
        random.seed(seed)
        _seed_worker(seed)
        np.random.seed(_generate_state(base_seed, worker_id))

        global _worker_info
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        iteration_end = False
        while os.getppid() == parent_pid:
            try:
                r = index_queue.get(timeout=_WORKER_POLL_S)
            except queue.Empty:
                if done_event.is_set():  # shut down even if the final None never arrives
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                try:
                    fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                          collate_fn, drop_last)
                except Exception:
                    init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data = init_exception
                init_exception = None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            # Pickle here rather than in the queue's feeder thread, so that a batch that cannot
            # be pickled is reported to the main process instead of being lost.
            try:
                payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                payload = pickle.dumps(ExceptionWrapper(where=f"in DataLoader worker process {worker_id}"))
            data_queue.put((idx, payload))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
