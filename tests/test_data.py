"""ember.utils.data against torch.utils.data: datasets, samplers (same random orders from the
same seeds), collation (same values, dtypes, container types), DataLoader batches, and the
multi-process loader (every sample once, in order, worker errors, killed workers, timeouts)."""
import collections
import os
import pickle
import signal
import time
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import same_error

from ember.utils import data as ed
from torch.utils import data as td

LIBS = {"ember": (ember, ed), "torch": (torch, td)}
Point = collections.namedtuple("Point", ["x", "y"])


def gen(lib, seed):
    """A seeded generator of ``lib``."""
    if lib is torch:
        return torch.Generator().manual_seed(seed)
    return getattr(ember, "Generator", ember._generator.Generator)().manual_seed(seed)


def seed_default(seed):
    torch.manual_seed(seed)
    getattr(ember, "manual_seed", ember._generator.default_generator.manual_seed)(seed)


def same(e, t, path="batch"):
    """ember's output mirrors torch's: same container types, tensors with equal dtype, shape
    and values, equal leaves."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{path}: {type(e)} is not a Tensor"
        assert str(e.dtype) == str(t.dtype), f"{path}: dtype {e.dtype} != {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{path}: shape {tuple(e.shape)} != {tuple(t.shape)}"
        assert e.requires_grad == t.requires_grad, f"{path}: requires_grad"
        np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy(), err_msg=path)
        return
    if isinstance(t, tuple) and hasattr(t, "_fields"):
        assert type(e).__name__ == type(t).__name__ and e._fields == t._fields, path
    else:
        assert type(e) is type(t), f"{path}: {type(e)} != {type(t)}"
    if isinstance(t, dict):
        assert list(e.keys()) == list(t.keys()), path
        for k in t:
            same(e[k], t[k], f"{path}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert len(e) == len(t), path
        for i, (a, b) in enumerate(zip(e, t)):
            same(a, b, f"{path}[{i}]")
    else:
        assert e == t, f"{path}: {e!r} != {t!r}"


# ----------------------------------------------------------------------------- datasets
class Squares:
    """A map-style dataset usable by both libraries (only needs __getitem__/__len__)."""

    def __init__(self, n=10):
        self.n = n

    def __getitem__(self, i):
        return i * i

    def __len__(self):
        return self.n


def test_tensor_dataset_and_subset():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    for i in (0, 3, -1):
        same(ed.TensorDataset(ember.tensor(x), ember.tensor(y))[i], td.TensorDataset(torch.tensor(x), torch.tensor(y))[i])
    e = ed.Subset(ed.TensorDataset(ember.tensor(x)), [4, 1])
    t = td.Subset(td.TensorDataset(torch.tensor(x)), [4, 1])
    assert len(e) == len(t) == 2
    same(e[0], t[0])
    same(e.__getitems__([1, 0]), t.__getitems__([1, 0]))
    same_error(lambda T: T.utils.data.TensorDataset(T.zeros(3), T.zeros(4)))


def test_subset_override_check():
    for lib in (ed, td):
        class Bad(lib.Subset):
            def __getitem__(self, i):
                return 0
    same_error(lambda T: type("Bad", (T.utils.data.Subset,), {"__getitem__": lambda s, i: 0})([1], [0]))


def test_concat_and_chain():
    e = ed.ConcatDataset([Squares(3), Squares(2)])
    t = td.ConcatDataset([Squares(3), Squares(2)])
    assert len(e) == len(t) == 5 and e.cumulative_sizes == t.cumulative_sizes
    assert [e[i] for i in range(-5, 5)] == [t[i] for i in range(-5, 5)]
    same_error(lambda T: T.utils.data.ConcatDataset([Squares(2)])[-3])
    same_error(lambda T: T.utils.data.ConcatDataset([]))
    ea, eb = ed.TensorDataset(ember.arange(2)), ed.TensorDataset(ember.arange(3))
    ta, tb = td.TensorDataset(torch.arange(2)), td.TensorDataset(torch.arange(3))
    assert type(ea + eb) is ed.ConcatDataset
    same([(ea + eb)[i] for i in range(5)], [(ta + tb)[i] for i in range(5)])

    def chain(lib):
        class R(lib.IterableDataset):
            def __init__(self, n):
                self.n = n

            def __iter__(self):
                return iter(range(self.n))

            def __len__(self):
                return self.n
        c = lib.ChainDataset([R(2), R(3)])
        return list(c), len(c), list(R(1) + R(2))
    assert chain(ed) == chain(td)


def test_stack_dataset():
    a, b = Squares(4), ed.TensorDataset(ember.arange(4))
    ta, tb = Squares(4), td.TensorDataset(torch.arange(4))
    same(ed.StackDataset(a, b)[2], td.StackDataset(ta, tb)[2])
    same(ed.StackDataset(x=a, y=b)[1], td.StackDataset(x=ta, y=tb)[1])
    same(ed.StackDataset(a, b).__getitems__([3, 0]), td.StackDataset(ta, tb).__getitems__([3, 0]))
    same(ed.StackDataset(x=a, y=b).__getitems__([3, 0]), td.StackDataset(x=ta, y=tb).__getitems__([3, 0]))
    same_error(lambda T: T.utils.data.StackDataset(Squares(2), Squares(3)))
    same_error(lambda T: T.utils.data.StackDataset(Squares(2), y=Squares(2)))
    same_error(lambda T: T.utils.data.StackDataset())


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.3, 0.4], [0.5, 0.5], [1, 2, 7]])
def test_random_split_matches_torch(lengths):
    e = ed.random_split(range(10), lengths, generator=gen(ember, 42))
    t = td.random_split(range(10), lengths, generator=gen(torch, 42))
    assert [list(s.indices) for s in e] == [list(s.indices) for s in t]


def test_random_split_default_generator_and_errors():
    seed_default(5)
    e = ed.random_split(range(7), [3, 4])
    seed_default(5)
    t = td.random_split(range(7), [3, 4])
    assert [list(s.indices) for s in e] == [list(s.indices) for s in t]
    same_error(lambda T: T.utils.data.random_split(range(10), [3, 3]))
    same_error(lambda T: T.utils.data.random_split(range(10), [1.5, -0.5]))
    for lib in (ed, td):
        with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
            lib.random_split(range(2), [1.0, 0.0])


# ----------------------------------------------------------------------------- samplers
def test_sequential_and_batch_samplers():
    for drop in (False, True):
        e = ed.BatchSampler(ed.SequentialSampler(range(7)), 3, drop)
        t = td.BatchSampler(td.SequentialSampler(range(7)), 3, drop)
        assert list(e) == list(t) and len(e) == len(t)
    same_error(lambda T: T.utils.data.BatchSampler(range(3), 0, False))
    same_error(lambda T: T.utils.data.BatchSampler(range(3), 2, 1))


@pytest.mark.parametrize("kwargs", [{}, {"replacement": True}, {"replacement": True, "num_samples": 70},
                                    {"num_samples": 23}, {"num_samples": 4}])
def test_random_sampler_matches_torch(kwargs):
    e = ed.RandomSampler(range(10), generator=gen(ember, 7), **kwargs)
    t = td.RandomSampler(range(10), generator=gen(torch, 7), **kwargs)
    assert len(e) == len(t)
    assert list(e) == list(t)
    assert list(e) == list(t)  # the generator's state advances the same way


def test_random_sampler_without_generator_draws_seed_like_torch():
    seed_default(123)
    e = [list(ed.RandomSampler(range(9))) for _ in range(2)]
    seed_default(123)
    t = [list(td.RandomSampler(range(9))) for _ in range(2)]
    assert e == t


def test_random_sampler_errors():
    same_error(lambda T: T.utils.data.RandomSampler(range(3), replacement=1))
    same_error(lambda T: T.utils.data.RandomSampler(range(3), num_samples=0))


def test_subset_and_weighted_samplers():
    e = ed.SubsetRandomSampler([5, 8, 13, 21], generator=gen(ember, 3))
    t = td.SubsetRandomSampler([5, 8, 13, 21], generator=gen(torch, 3))
    assert list(e) == list(t) and len(e) == 4
    w = [0.1, 2.0, 0.5, 1.0, 3.0]
    for repl, n in ((True, 12), (False, 4)):
        e = ed.WeightedRandomSampler(w, n, replacement=repl, generator=gen(ember, 11))
        t = td.WeightedRandomSampler(w, n, replacement=repl, generator=gen(torch, 11))
        assert list(e) == list(t) and len(e) == n
    same(ed.WeightedRandomSampler(w, 3).weights, td.WeightedRandomSampler(w, 3).weights)
    same_error(lambda T: T.utils.data.WeightedRandomSampler([[1.0]], 2))
    same_error(lambda T: T.utils.data.WeightedRandomSampler([1.0], 0))
    same_error(lambda T: T.utils.data.WeightedRandomSampler([1.0], 2, replacement=None))


@pytest.mark.parametrize("n,replicas,shuffle,drop_last", [(10, 3, True, False), (10, 3, False, False),
                                                         (10, 3, True, True), (2, 4, False, False)])
def test_distributed_sampler(n, replicas, shuffle, drop_last):
    for rank in range(replicas):
        e = ed.DistributedSampler(range(n), replicas, rank, shuffle=shuffle, seed=4, drop_last=drop_last)
        t = td.DistributedSampler(range(n), replicas, rank, shuffle=shuffle, seed=4, drop_last=drop_last)
        for epoch in (0, 1):
            e.set_epoch(epoch)
            t.set_epoch(epoch)
            assert list(e) == list(t) and len(e) == len(t)
    same_error(lambda T: T.utils.data.DistributedSampler(range(4), 2, 2))


# ----------------------------------------------------------------------------- collate
def _batch(lib):
    """The same list of samples for either library (tensors made by ``lib``)."""
    T = lib
    return [
        {"t": T.tensor([i, i + 1.0]), "i": T.tensor(i), "a": np.array([i, 2 * i], dtype=np.int32),
         "f": i / 3, "n": i, "b": bool(i % 2), "s": f"s{i}", "by": b"x",
         "np_f": np.float64(i) / 7, "np_i": np.int16(i), "np_b": np.bool_(i), "np_f32": np.float32(i),
         "tup": (i, [i * 1.5, "z"]), "pt": Point(i, T.tensor([i])),
         "nested": [{"k": T.zeros(2, dtype=T.int32) + i}], "od": collections.OrderedDict(z=i, a=1.0)}
        for i in range(3)
    ]


def test_default_collate_matches_torch():
    same(ed.default_collate(_batch(ember)), td.default_collate(_batch(torch)))


@pytest.mark.parametrize("sample", [
    lambda T: 1.5, lambda T: 3, lambda T: True, lambda T: "a", lambda T: (1, 2.0), lambda T: [1, 2],
    lambda T: np.array([1.5, 2.5]), lambda T: np.array([[1, 2]], dtype=np.uint8), lambda T: np.float32(2),
    lambda T: np.int64(4), lambda T: T.tensor([[1, 2], [3, 4]], dtype=T.int16), lambda T: T.tensor(True),
    lambda T: T.tensor([1 + 2j]), lambda T: Point(1.0, "q"), lambda T: {"a": (1, "x")},
])
def test_default_collate_cases(sample):
    same(ed.default_collate([sample(ember), sample(ember)]), td.default_collate([sample(torch), sample(torch)]))


def test_dataloader_collates_every_case_like_torch():
    for kw in ({"batch_size": 2, "sampler": [2, 0, 1]}, {"batch_size": None, "sampler": [1, 2]}):
        same(list(ed.DataLoader(_batch(ember), **kw)), list(td.DataLoader(_batch(torch), **kw)))


def test_default_collate_promotes_tensor_dtypes():
    same(ed.default_collate([ember.tensor([1.0]), ember.tensor([2.0], dtype=ember.float64)]),
         td.default_collate([torch.tensor([1.0]), torch.tensor([2.0], dtype=torch.float64)]))


def test_default_collate_errors():
    same_error(lambda T: T.utils.data.default_collate([[1, 2], [3]]))
    same_error(lambda T: T.utils.data.default_collate([object(), object()]))
    same_error(lambda T: T.utils.data.default_collate([np.array(["a"]), np.array(["b"])]))
    same_error(lambda T: T.utils.data.default_collate([T.zeros(2), T.zeros(3)]))


@pytest.mark.parametrize("x", [
    lambda T: np.array([1, 2], dtype=np.int32), lambda T: np.float64(2.5), lambda T: {"a": np.zeros(2)},
    lambda T: (np.int8(1), "s"), lambda T: [np.ones(1), 2], lambda T: Point(np.zeros(1), 1),
    lambda T: np.array(["x"]), lambda T: "str", lambda T: 3.5, lambda T: T.ones(2),
])
def test_default_convert(x):
    same(ed.default_convert(x(ember)), td.default_convert(x(torch)))


# ----------------------------------------------------------------------------- DataLoader (main process)
class Pairs:
    """Samples (tensor, float, str) built with either library."""

    def __init__(self, T, n=7):
        self.T, self.n = T, n

    def __getitem__(self, i):
        return self.T.tensor([float(i), -i]), i / 2, f"#{i}"

    def __len__(self):
        return self.n


@pytest.mark.parametrize("kw", [{}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True},
                                {"batch_size": None}, {"batch_size": 10}])
def test_dataloader_batches_match_torch(kw):
    e = ed.DataLoader(Pairs(ember), **kw)
    t = td.DataLoader(Pairs(torch), **kw)
    assert len(e) == len(t)
    same(list(e), list(t))


def test_dataloader_batch_sampler_and_collate_fn():
    bs = [[0, 2], [4, 6], [1]]
    e = ed.DataLoader(Pairs(ember), batch_sampler=bs, collate_fn=lambda b: [x[2] for x in b])
    t = td.DataLoader(Pairs(torch), batch_sampler=bs, collate_fn=lambda b: [x[2] for x in b])
    assert list(e) == list(t) and len(e) == len(t) == 3
    e = ed.DataLoader(Pairs(ember), sampler=[6, 0, 3], batch_size=2)
    t = td.DataLoader(Pairs(torch), sampler=[6, 0, 3], batch_size=2)
    same(list(e), list(t))


def test_dataloader_shuffle_with_generator_matches_torch():
    e = ed.DataLoader(Pairs(ember, 11), batch_size=4, shuffle=True, generator=gen(ember, 9))
    t = td.DataLoader(Pairs(torch, 11), batch_size=4, shuffle=True, generator=gen(torch, 9))
    for _ in range(2):
        same(list(e), list(t))


def test_dataloader_shuffle_default_generator_matches_torch():
    seed_default(2024)
    e = [list(ed.DataLoader(Pairs(ember, 9), batch_size=4, shuffle=True)) for _ in range(2)]
    seed_default(2024)
    t = [list(td.DataLoader(Pairs(torch, 9), batch_size=4, shuffle=True)) for _ in range(2)]
    same(e, t)


def test_dataloader_iterable_dataset():
    def make(lib):
        class It(lib.IterableDataset):
            def __iter__(self):
                return iter(range(7))

            def __len__(self):
                return 7
        return It()
    for kw in ({"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}):
        e, t = ed.DataLoader(make(ed), **kw), td.DataLoader(make(td), **kw)
        assert len(e) == len(t)
        same(list(e), list(t))


@pytest.mark.parametrize("kw", [
    {"num_workers": -1}, {"timeout": -1}, {"prefetch_factor": 2}, {"persistent_workers": True},
    {"shuffle": True, "sampler": [0]}, {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_size": None, "drop_last": True}, {"multiprocessing_context": "fork"},
    {"num_workers": 1, "multiprocessing_context": "nope"},
])
def test_dataloader_argument_errors(kw):
    same_error(lambda T: T.utils.data.DataLoader(Squares(), **kw))


def test_dataloader_iterable_argument_errors():
    def make(T):
        class It(T.utils.data.IterableDataset):
            def __iter__(self):
                return iter([])
        return It()
    same_error(lambda T: T.utils.data.DataLoader(make(T), shuffle=True))
    same_error(lambda T: T.utils.data.DataLoader(make(T), sampler=[0]))


def test_dataloader_attribute_lock_and_pin_memory_warning():
    same_error(lambda T: setattr(T.utils.data.DataLoader(Squares()), "batch_size", 2))
    msgs = {}
    for name, (_, lib) in LIBS.items():
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            list(lib.DataLoader(Squares(2), pin_memory=True))
        msgs[name] = [str(x.message) for x in w]
    assert msgs["ember"] == msgs["torch"] and msgs["ember"]


def test_get_worker_info_in_main_process():
    assert ed.get_worker_info() is None


def test_tensor_pickles():
    x = ember.tensor([[1.0, 2.0]], dtype=ember.float64, requires_grad=True)
    y = pickle.loads(pickle.dumps(x))
    assert y.dtype == ember.float64 and y.requires_grad and y.is_leaf and y.tolist() == x.tolist()
    z = pickle.loads(pickle.dumps(ember.arange(6).reshape(2, 3).t()))
    assert z.tolist() == [[0, 3], [1, 4], [2, 5]]


# ----------------------------------------------------------------------------- worker processes
class Indexed(ed.Dataset):
    """Each sample says which worker made it."""

    def __init__(self, n=23):
        self.n = n

    def __getitem__(self, i):
        info = ed.get_worker_info()
        return ember.tensor([float(i)]), -1 if info is None else info.id

    def __len__(self):
        return self.n


class Shards(ed.IterableDataset):
    """Worker w yields w, w + num_workers, ... (sharding by get_worker_info)."""

    def __init__(self, n=11):
        self.n = n

    def __iter__(self):
        info = ed.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))


class Failing(ed.Dataset):
    def __getitem__(self, i):
        if i == 5:
            raise ValueError("sample 5 is broken")
        return i

    def __len__(self):
        return 8


class Killing(ed.Dataset):
    def __getitem__(self, i):
        if i == 4 and ed.get_worker_info() is not None:
            os.kill(os.getpid(), signal.SIGKILL)
        return i

    def __len__(self):
        return 8


class _Deadline:
    """Fail (instead of hanging) when the block takes longer than ``seconds``."""

    def __init__(self, seconds):
        self.seconds = seconds

    def _fire(self, *a):
        raise TimeoutError(f"test took longer than {self.seconds} s")

    def __enter__(self):
        self.old = signal.signal(signal.SIGALRM, self._fire)
        signal.alarm(self.seconds)

    def __exit__(self, *a):
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self.old)


def test_workers_return_every_sample_once_in_order():
    with _Deadline(30):
        loader = ed.DataLoader(Indexed(), batch_size=3, num_workers=2)
        batches = list(loader)
        assert len(batches) == len(loader) == 8
        values = [v for x, _ in batches for v in x.view(-1).tolist()]
        assert values == [float(i) for i in range(23)]
        assert {w for _, ws in batches for w in ws.tolist()} == {0, 1}
        single = list(ed.DataLoader(Indexed(), batch_size=3, num_workers=0))
        for (a, _), (b, _) in zip(batches, single):
            assert a.tolist() == b.tolist() and a.dtype == b.dtype


def test_workers_shuffle_each_sample_once_and_same_order_as_single_process():
    with _Deadline(30):
        got = list(ed.DataLoader(Indexed(17), batch_size=4, shuffle=True, num_workers=2, generator=gen(ember, 1)))
        ref = list(ed.DataLoader(Indexed(17), batch_size=4, shuffle=True, generator=gen(ember, 1)))
        order = [v for x, _ in got for v in x.view(-1).tolist()]
        assert sorted(order) == [float(i) for i in range(17)]
        assert order == [v for x, _ in ref for v in x.view(-1).tolist()]


def test_iterable_dataset_sharded_by_worker():
    with _Deadline(30):
        out = list(ed.DataLoader(Shards(), batch_size=2, num_workers=2))
        values = sorted(v for b in out for v in b.tolist())
        assert values == list(range(11))
        # NOTE: as torch, batches alternate between workers: w0 [0, 2], w1 [1, 3], ...
        assert out[0].tolist() == [0, 2] and out[1].tolist() == [1, 3]


class Tagged(ed.Dataset):
    """Samples carry the tag that worker_init_fn set on the worker's copy of the dataset."""

    tag = None

    def __getitem__(self, i):
        return ember.tensor([float(i)]), self.tag

    def __len__(self):
        return 10


def _init_fn(worker_id):
    info = ed.get_worker_info()
    assert info.id == worker_id and info.num_workers == 2
    info.dataset.tag = 100 + worker_id


def test_worker_init_fn_persistent_workers_and_prefetch():
    with _Deadline(30):
        loader = ed.DataLoader(Tagged(), batch_size=2, num_workers=2, persistent_workers=True,
                               prefetch_factor=1, worker_init_fn=_init_fn)
        first = list(loader)
        workers = [w.pid for w in loader._iterator._workers]
        second = list(loader)
        assert [w.pid for w in loader._iterator._workers] == workers  # same processes
        for epoch in (first, second):
            assert [v for x, _ in epoch for v in x.view(-1).tolist()] == [float(i) for i in range(10)]
            assert [tags.tolist() for _, tags in epoch] == [[100, 100], [101, 101]] * 2 + [[100, 100]]
        assert Tagged.tag is None  # only the workers' copies were tagged
        loader._iterator._shutdown_workers()


def test_worker_seeds_follow_torch_scheme():
    def seeds(lib, T):
        class S(lib.Dataset):
            def __getitem__(self, i):
                info = lib.get_worker_info()
                return info.seed, int(np.random.randint(0, 2 ** 31))

            def __len__(self):
                return 2
        dl = lib.DataLoader(S(), batch_size=None, num_workers=2, generator=gen(T, 77))
        return [(int(a), int(b)) for a, b in dl]
    with _Deadline(30):
        assert seeds(ed, ember) == seeds(td, torch)


def test_worker_error_reraised_with_traceback():
    with _Deadline(30):
        with pytest.raises(ValueError) as info:
            list(ed.DataLoader(Failing(), batch_size=2, num_workers=2))
        msg = str(info.value)
        assert msg.startswith("Caught ValueError in DataLoader worker process 0.\nOriginal Traceback (most recent call last):")
        assert "sample 5 is broken" in msg and "__getitem__" in msg


def test_worker_error_in_main_process_text_matches_torch():
    def run(lib):
        class F(lib.Dataset):
            def __getitem__(self, i):
                raise KeyError("missing")

            def __len__(self):
                return 2
        try:
            list(lib.DataLoader(F(), num_workers=1))
        except KeyError as e:
            return str(e).split("\n")[0]
    with _Deadline(30):
        assert run(ed) == run(td) == "Caught KeyError in DataLoader worker process 0."


def test_killed_worker_raises_not_hangs():
    with _Deadline(20):
        with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"):
            list(ed.DataLoader(Killing(), batch_size=2, num_workers=2))


def test_timeout():
    with _Deadline(20):
        t0 = time.monotonic()
        with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.3 seconds$"):
            list(ed.DataLoader(Squares(4), num_workers=1, timeout=0.3, worker_init_fn=_sleep, pin_memory=False))
        assert time.monotonic() - t0 < 5


def _sleep(worker_id):
    time.sleep(1.0)


def test_workers_with_dict_samples_and_pin_memory():
    with _Deadline(30):
        with pytest.warns(UserWarning, match="no accelerator is found"):
            got = list(ed.DataLoader(_batch(ember), batch_size=2, num_workers=2, pin_memory=True))
        same(got, list(td.DataLoader(_batch(torch), batch_size=2)))
