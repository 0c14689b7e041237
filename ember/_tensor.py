"""The Tensor: a NumPy array plus what autograd needs to know about it.

>>> import ember
>>> x = ember.tensor([1.0, 2.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
tensor([2., 4.])
"""
from __future__ import annotations

import builtins
import warnings
from typing import Any, Optional

from . import _dtype as D
from . import _messages as M
from . import _tensor_str
from ._backend import np
from .autograd.grad_mode import STATE
from .autograd import graph as _graph

__all__ = ["Tensor", "Size", "device", "is_tensor", "is_floating_point", "is_complex", "numel"]


class Size(tuple):
    """A tensor's shape: a tuple printed as ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))


class device:
    """A device; only ``cpu`` holds tensors here (``cuda`` names parse, for code that names them)."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index: Optional[int] = None):  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        if isinstance(type, builtins.int):
            type, index = "cuda", type
        if ":" in type:
            type, idx = type.split(":")
            index = builtins.int(idx)
        if type not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device string: {type}")
        self.type, self.index = type, index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __enter__(self):
        return self

    def __exit__(self, *a):
        pass

    def __reduce__(self):
        return (device, (self.type, self.index))


_CPU = device("cpu")


def _check_device(dev) -> None:
    if dev is None:
        return
    t = dev.type if isinstance(dev, device) else str(dev).split(":")[0]
    if t == "cuda":
        raise AssertionError(M.CUDA_UNAVAILABLE)
    if t not in ("cpu", "meta"):
        raise RuntimeError(f"{t} device is not available in ember (CPU only)")


_new = object.__new__


class _VC:
    """A version counter, shared by a tensor, its views and its detached aliases.

    One is made with every tensor, so it has no ``__init__`` (a Python-level ``__init__`` doubles
    its cost): ``_new_vc()`` makes one at version 0.
    """

    __slots__ = ("v",)


def _new_vc() -> _VC:
    vc = _new(_VC)
    vc.v = 0
    return vc


def _legacy_type(np_dtype) -> str:
    return "torch." + D.from_np(np_dtype)._legacy


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    ``Tensor(data)`` and ``Tensor(*sizes)`` work as torch's legacy constructor (float32).
    """

    # Hot fields are slots; the rest default to the class attributes below and are stored in
    # the (lazily created) instance dict only when set, so making a tensor costs four stores.
    __slots__ = ("_data", "_rg", "grad_fn", "_vc", "__dict__", "__weakref__")
    _grad = None
    _output_nr = 0
    _base = None
    _views = None       # weak references to a root base's views, see _ops/_util.set_inplace_grad_fn
    _acc = None
    _hooks = None
    _post_acc_hooks = None
    _retains = False

    def __init__(self, *args, **kwargs):
        _init_legacy(self, args, kwargs)

    # ---------------------------------------------------------------- basic properties
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: Optional[int] = None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> D.dtype:
        return D.from_np(self._data.dtype)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def stride(self, dim: Optional[int] = None):
        st = tuple(s // self._data.itemsize for s in self._data.strides) if self._data.itemsize else ()
        if self._data.size == 0 or self._data.itemsize == 0:
            st = _contiguous_strides(self._data.shape)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None) -> bool:
        return self._data.flags.c_contiguous or self._data.size <= 1

    def storage_offset(self) -> int:
        base = self._data
        while base.base is not None and isinstance(base.base, np.ndarray):
            base = base.base
        off = self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        return off // self._data.itemsize if self._data.itemsize else 0

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    @property
    def device(self) -> device:
        return _CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mps = False
    is_nested = False
    layout = "torch.strided"

    def get_device(self) -> int:
        return -1

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self.grad_fn is None and self._data.dtype.kind not in "fc":
            raise RuntimeError(M.REQUIRES_GRAD_DTYPE)
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place (leaves only); returns self."""
        requires_grad = bool(requires_grad)
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(M.REQUIRES_GRAD_FALSE_NONLEAF)
            return self
        if requires_grad and not (self._data.dtype.kind in "fc"):
            # NOTE: torch's three wordings: the method (this), the setter, the factories
            raise RuntimeError(M.REQUIRES_GRAD_DTYPE_METHOD)
        self._rg = requires_grad
        return self

    @property
    def grad(self) -> Optional["Tensor"]:
        if self.grad_fn is not None and not self._retains:
            warnings.warn(M.NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Optional["Tensor"]) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of {type(value).__name__}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("attempting to assign a gradient with dtype '" + value.dtype.name
                                   + "' to a tensor with dtype '" + self.dtype.name
                                   + "'. Please ensure that the gradient and the tensor have the same dtype")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def data(self) -> "Tensor":
        """The same memory, detached and not version-checked against this tensor's graph."""
        t = _wrap(self._data)
        return t

    @data.setter
    def data(self, value: "Tensor") -> None:
        self._data = value._data

    @property
    def _version(self) -> int:
        return self._vc.v

    @property
    def retains_grad(self) -> bool:
        return bool(self._retains)

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def is_inference(self):
        return lambda: False

    # ---------------------------------------------------------------- autograd
    def backward(self, gradient: Optional["Tensor"] = None, retain_graph: Optional[bool] = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Compute the gradient of this tensor with respect to the graph leaves.

        >>> import ember
        >>> x = ember.tensor(3.0, requires_grad=True)
        >>> (x ** 2).backward()
        >>> x.grad
        tensor(6.)
        """
        from .autograd import backward as _bw
        _bw(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; may return a new one."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._register_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = {}
        h = _graph.RemovableHandle(self._hooks)
        self._hooks[h.id] = hook
        return h

    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor)`` runs after a gradient has been accumulated into this leaf."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = {}
        h = _graph.RemovableHandle(self._post_acc_hooks)
        self._post_acc_hooks[h.id] = hook
        return h

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains:
            return
        import weakref
        fn = self.grad_fn
        if fn._retains_grad is None:
            fn._retains_grad = {}
        fn._retains_grad[self._output_nr] = weakref.ref(self)
        self._retains = True

    def detach(self) -> "Tensor":
        """A tensor sharing memory and version counter, cut from the graph."""
        t = _wrap(self._data)
        t._vc = self._vc
        return t

    def detach_(self) -> "Tensor":
        """Cut this tensor from the graph in place (it becomes a leaf)."""
        if self._base is not None and self._base._rg:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence detach_() cannot be called on these gradients. To fix this error, please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self._rg = False
        self._output_nr = 0
        return self

    # ---------------------------------------------------------------- in-place support
    def _check_inplace(self) -> None:
        """Raise torch's error for an in-place write into a leaf that requires grad."""
        if self._rg and STATE.grad_enabled:
            if self.grad_fn is None:
                raise RuntimeError(M.LEAF_INPLACE)
            b = self._base
            if b is not None and b.grad_fn is None and b._rg:
                raise RuntimeError(M.VIEW_OF_LEAF_INPLACE)

    def _bump_version(self) -> None:
        self._vc.v += 1

    # ---------------------------------------------------------------- conversion
    def numpy(self, *, force: bool = False):
        """The NumPy array behind this tensor (shares memory)."""
        if self._rg and not force:
            raise RuntimeError(M.NUMPY_REQUIRES_GRAD)
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._rg:
            raise RuntimeError(M.NUMPY_REQUIRES_GRAD)
        return self._data if dtype is None else self._data.astype(dtype)

    def tolist(self):
        return self._data.tolist()

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(M.ITEM_NUMEL.format(n=self._data.size))
        return self._data.reshape(()).item()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError(M.LEN_0D)
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError(M.ITER_0D)
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(M.BOOL_AMBIGUOUS)
        return builtins.bool(self._data.reshape(()))

    def __float__(self) -> float:
        return builtins.float(self.item())

    def __int__(self) -> int:
        return builtins.int(self.item())

    def __complex__(self) -> complex:
        return builtins.complex(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return builtins.int(self.item())

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None) -> str:
        return _tensor_str.tensor_repr(self, tensor_contents=tensor_contents)

    def __str__(self) -> str:
        return _tensor_str.tensor_str(self)

    def __format__(self, spec: str) -> str:
        return _tensor_str.format_tensor(self, spec)

    def __reduce_ex__(self, proto):
        from .serialization import _reduce_tensor
        return _reduce_tensor(self)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment.  If you were attempting to deepcopy a module, this may be because of a torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001")
        import copy
        new = type(self).__new__(type(self))
        _init_fields(new, self._data.copy(), self._rg)
        if self._grad is not None:
            new._grad = copy.deepcopy(self._grad, memo)
        if "__dict__" in dir(self) and self.__dict__:
            new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = new
        return new

    def type(self, dtype=None, non_blocking: bool = False, **kwargs):
        """With no argument, torch's legacy type name (``'torch.FloatTensor'``); else a cast."""
        if dtype is None:
            return _legacy_type(self._data.dtype)
        if isinstance(dtype, str):
            name = dtype.replace("torch.", "")
            for d in D._ALL:
                if d._legacy == name:
                    dtype = d
                    break
            else:
                dtype = D.as_dtype(dtype)
        return self.to(dtype)

    def cuda(self, device=None, non_blocking: bool = False, memory_format=None):
        raise AssertionError(M.CUDA_UNAVAILABLE)

    def cpu(self, memory_format=None) -> "Tensor":
        return self

    def pin_memory(self, device=None) -> "Tensor":
        return self

    def is_pinned(self, device=None) -> bool:
        return False

    def share_memory_(self) -> "Tensor":
        return self

    def is_shared(self) -> bool:
        return False

    def __class_getitem__(cls, item):
        return cls


_graph._Tensor = Tensor   # the engine checks gradients' exact class before taking them as .grad


def _contiguous_strides(shape):
    st = []
    acc = 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def _wrap_dim(dim: int, ndim: int) -> int:
    """Normalise a possibly negative dim, with torch's error (0-d tensors accept -1 and 0)."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(M.DIM_RANGE.format(lo=-n, hi=n - 1, dim=dim))
    return dim + n if dim < 0 else dim


def _init_fields(t, arr, rg=False):
    t._data = arr
    t._rg = rg
    t.grad_fn = None
    t._vc = _new_vc()


def _wrap(arr, requires_grad: bool = False) -> Tensor:
    """A Tensor around ``arr`` without copying (the array is owned from now on).

    This runs once per op, so it is written out by hand: two allocations and five slot stores.
    NOTE: neither Tensor nor Node may define ``__getattr__``: its mere presence turns off
    CPython's specialised attribute access for every ``t._data`` read (about 2x slower).
    """
    t = _new(Tensor)
    t._data = arr
    t._rg = requires_grad
    t.grad_fn = None
    vc = _new(_VC)
    vc.v = 0
    t._vc = vc
    return t


_graph._Tensor_wrap = _wrap


def _init_legacy(self, args, kwargs):
    if len(args) == 1 and not isinstance(args[0], builtins.int):
        a = args[0]
        if isinstance(a, Tensor):
            arr = a._data
        else:
            arr = np.asarray(a, dtype=np.float32)
    elif args and all(isinstance(a, builtins.int) for a in args):
        arr = np.empty(args, dtype=np.float32)
    elif len(args) == 1 and isinstance(args[0], (tuple, list)):
        arr = np.empty(tuple(args[0]), dtype=np.float32)
    elif not args:
        arr = np.empty((0,), dtype=np.float32)
    else:
        raise TypeError("new() received an invalid combination of arguments")
    if arr.dtype.kind == "f" and arr.dtype != np.float32 and not isinstance(args[0], Tensor):
        arr = arr.astype(np.float32)
    _init_fields(self, arr)


def is_tensor(obj) -> bool:
    """Whether ``obj`` is an ember Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input._data.dtype.kind == "f"


def is_complex(input: Tensor) -> bool:
    return input._data.dtype.kind == "c"


def numel(input: Tensor) -> int:
    return input._data.size


Tensor.is_floating_point = is_floating_point
Tensor.is_complex = is_complex
