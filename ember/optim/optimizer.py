"""The ``Optimizer`` base class: parameter groups, state, hooks and state dicts.

Algorithms subclass it and implement ``step``. Updates work directly on the NumPy arrays
behind parameters and state, in the same operation order as PyTorch's single-tensor
implementations, so float32 rounding agrees.

>>> import ember
>>> w = ember.tensor([1.0, 2.0], requires_grad=True)
>>> opt = ember.optim.SGD([w], lr=0.1)
>>> (w * w).sum().backward()
>>> opt.step()
>>> w
tensor([0.8000, 1.6000], requires_grad=True)
"""
from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy
from itertools import chain
from typing import Any, Callable, Optional

from .. import _dtype as D
from .._backend import np
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from ..autograd.graph import RemovableHandle

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook",
           "required"]

_global_optimizer_pre_hooks: "OrderedDict[int, Callable]" = OrderedDict()
_global_optimizer_post_hooks: "OrderedDict[int, Callable]" = OrderedDict()

PARAMS_NOT_ITERABLE = ("params argument given to the optimizer should be an iterable of Tensors "
                       "or dicts, but got {}")
EMPTY_PARAMS = "optimizer got an empty parameter list"
NON_LEAF = "can't optimize a non-leaf Tensor"
DUPLICATE_PARAMS = ("optimizer contains a parameter group with duplicate parameters; in future, "
                    "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for "
                    "more information")


class _RequiredParameter:
    """Marks an option that every parameter group must give."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def typename(obj: Any) -> str:
    """torch.typename: ``'torch.FloatTensor'`` for tensors, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in {"", "builtins"}:
        return qualname
    return f"{module}.{qualname}"


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's ``step``."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's ``step``."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


def _hook_step(func: Callable) -> Callable:
    """Wrap an algorithm's ``step``: step hooks around it, and autograd off inside (on when the
    optimizer is ``differentiable``)."""

    @functools.wraps(func)
    def step(*args, **kwargs):
        self = args[0]
        for pre_hook in chain(_global_optimizer_pre_hooks.values(),
                              self._optimizer_step_pre_hooks.values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{func} must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result}.")
        prev = STATE.grad_enabled
        STATE.grad_enabled = bool(self.defaults.get("differentiable", False))
        try:
            out = func(*args, **kwargs)
        finally:
            STATE.grad_enabled = prev
        for post_hook in chain(self._optimizer_step_post_hooks.values(),
                               _global_optimizer_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out

    step.hooked = True
    return step


def _call_closure(closure: Optional[Callable]):
    """Evaluate the closure with autograd on, as torch's ``step`` does."""
    if closure is None:
        return None
    prev = STATE.grad_enabled
    STATE.grad_enabled = True
    try:
        return closure()
    finally:
        STATE.grad_enabled = prev


def _to_scalar(x):
    """A hyperparameter as a Python number (a 1-element tensor gives its value)."""
    if isinstance(x, Tensor):
        return x._data.reshape(()).item()
    return x


def _scalar_dtype():
    """dtype of ``step``-like state: float64 when that is the default dtype, else float32."""
    return np.float64 if D.get_default_dtype() is D.float64 else np.float32


def _step_tensor(value: float = 0.0) -> Tensor:
    return _wrap(np.array(value, dtype=_scalar_dtype()))


def _zeros_like(p: Tensor) -> Tensor:
    return _wrap(np.zeros_like(p._data))


def _real(a):
    """The real view of a complex array (torch.view_as_real, flattened into the last axis)."""
    if a.dtype.kind == "c":
        return a.view(a.real.dtype)
    return a


def _lerp_(a, b, w: float) -> None:
    """``a.lerp_(b, w)`` in place with a scalar weight, in torch's CPU formula."""
    # NOTE: torch's CPU lerp switches formula at |w| = 0.5 (for accuracy near each end).
    w = a.dtype.type(w)
    d = b - a
    if abs(w) < 0.5:
        d *= w
        a += d
    else:
        d *= a.dtype.type(1) - w
        np.subtract(b, d, out=a)


def _addcmul_(a, t1, t2, value) -> None:
    """``a.addcmul_(t1, t2, value=value)``: ``a + value * t1 * t2`` (left to right)."""
    if value == 1:
        tmp = t1 * t2
    else:
        tmp = t1 * a.dtype.type(value)
        tmp *= t2
    a += tmp


def _addcdiv_(a, t1, t2, value) -> None:
    """``a.addcdiv_(t1, t2, value=value)``: ``a + value * t1 / t2`` (left to right)."""
    if value == 1:
        tmp = t1 / t2
    else:
        tmp = t1 * a.dtype.type(value)
        tmp /= t2
    a += tmp


def _add_(a, b, alpha) -> None:
    """``a.add_(b, alpha=alpha)``."""
    if alpha == 1:
        a += b
    else:
        a += b * a.dtype.type(alpha)


def _grad_array(p: Tensor, maximize: bool, weight_decay=0.0):
    """The gradient array a step uses: negated for ``maximize``, plus ``weight_decay * p``.

    Returns the grad's own array when neither applies (callers must not write into it)."""
    g = p._grad._data
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + p._data * g.dtype.type(weight_decay)
    return g


class Optimizer:
    """Base class for all optimizers.

    ``params`` is an iterable of Tensors (or ``(name, Tensor)`` pairs), or of dicts each
    defining a parameter group; ``defaults`` holds the options a group does not specify.

    >>> import ember
    >>> w = ember.zeros(2, requires_grad=True)
    >>> opt = ember.optim.SGD([{"params": [w], "lr": 0.5}], lr=0.1)
    >>> opt.param_groups[0]["lr"]
    0.5
    """

    _group_defaults: dict = {}   # options a param group saved by an older version may lack
    _step_keys: tuple = ("step",)  # state entries that must be tensors (checked on unpickling)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = _hook_step(step)

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError(PARAMS_NOT_ITERABLE.format(typename(params)))
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError(EMPTY_PARAMS)
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ------------------------------------------------------------------ pickling / printing
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:
            for k, v in self._group_defaults.items():
                group.setdefault(k, v)
            for p in group["params"]:
                st = self.state.get(p, {})
                for key in self._step_keys:
                    self._check_step_tensor(st, key)

    def __repr__(self) -> str:
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += "\n"
            s += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        s += ")"
        return s

    # ------------------------------------------------------------------ hooks
    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs before ``step``; may return new (args, kwargs)."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs after ``step``."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    @staticmethod
    def _register(hooks: OrderedDict, hook: Callable, prepend: bool) -> RemovableHandle:
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer)`` runs before ``state_dict``."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` runs after ``state_dict``; may return a new dict."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` runs before ``load_state_dict``; may return a new dict."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer)`` runs after ``load_state_dict``."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict[str, Any]:
        """The optimizer state: ``{'state': {index: {...}}, 'param_groups': [{..., 'params': [...]}]}``.

        State tensors are not copied (as in torch): deep-copy the result to keep a snapshot.

        >>> import ember
        >>> w = ember.zeros(1, requires_grad=True)
        >>> ember.optim.SGD([w], lr=0.1).state_dict()["param_groups"][0]["params"]
        [0]
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        param_mappings: dict[int, int] = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups, key=None):
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                return value.to(dtype=D.float32)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype)
        return value

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state produced by ``state_dict`` (this library's or torch's, tensors converted).

        >>> import ember
        >>> w = ember.zeros(1, requires_grad=True)
        >>> opt = ember.optim.SGD([w], lr=0.1)
        >>> opt.load_state_dict(opt.state_dict())
        """
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the "
                             "size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def _cast(param, value, param_id=None, param_groups=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, param_groups, key)
            if isinstance(value, dict):
                return {k: _cast(param, v, param_id=param_id, param_groups=param_groups, key=k)
                        for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, str):
                return type(value)(_cast(param, v, param_id=param_id, param_groups=param_groups)
                                   for v in value)
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v, param_id=k, param_groups=state_dict["param_groups"])
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # ------------------------------------------------------------------ gradients and groups
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: to None (the default), or to zeros with ``set_to_none=False``.

        >>> import ember
        >>> w = ember.ones(2, requires_grad=True)
        >>> w.sum().backward()
        >>> opt = ember.optim.SGD([w], lr=0.1)
        >>> opt.zero_grad()
        >>> w.grad is None
        True
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                    continue
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g._rg = False
                if g._data.flags.writeable:
                    g._data.fill(0)
                else:
                    g._data = np.zeros_like(g._data)
                g._vc.v += 1

    def step(self, closure: Optional[Callable[[], float]] = None):
        """Perform one optimization step (implemented by each algorithm)."""
        raise NotImplementedError

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (missing ones from ``defaults``).

        >>> import ember
        >>> a, b = ember.zeros(1, requires_grad=True), ember.zeros(1, requires_grad=True)
        >>> opt = ember.optim.SGD([a], lr=0.1)
        >>> opt.add_param_group({"params": [b], "lr": 0.01})
        >>> len(opt.param_groups)
        2
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a "
                            "list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError(NON_LEAF)
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn(DUPLICATE_PARAMS, UserWarning, stacklevel=3)
        param_set: set = set()
        for group in self.param_groups:
            param_set.update(set(group["params"]))
            if ("param_names" in param_group) != ("param_names" in group):
                txt = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {txt} to the optimizer")
        if not param_set.isdisjoint(set(param_group["params"])):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ helpers for algorithms
    def _params_with_grad(self, group, name: str):
        """The group's parameters that have a gradient (sparse ones are refused)."""
        out = []
        for p in group["params"]:
            g = p._grad
            if g is not None:
                if getattr(g, "is_sparse", False):
                    raise RuntimeError(f"{name} does not support sparse gradients")
                out.append(p)
        return out

    def _check_step_tensor(self, state, key: str = "step") -> None:
        """A ``step`` stored as a Python number (old state dicts) becomes a 0-d tensor."""
        v = state.get(key)
        if v is not None and not isinstance(v, Tensor):
            state[key] = _step_tensor(float(v))
