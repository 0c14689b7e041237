"""The backward graph: nodes, saved tensors, gradient accumulators, and the engine that walks
them.

A node is made by each differentiable op that sees an input requiring grad. Its
``next_functions`` point at the nodes of its inputs (``AccumulateGrad`` for leaves); its
``backward`` maps the gradient of its output to gradients of its inputs, written in ember ops
so that ``create_graph=True`` records a graph of the backward itself.

The engine (``run_backward``) counts dependencies once, then runs nodes whose inputs are all in,
highest sequence number first, as PyTorch's CPU engine does. No recursion: graphs of any depth.

>>> import ember
>>> x = ember.tensor([2.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.grad_fn.next_functions[0][0]
<MulBackward0 object at 0x...>
"""
from __future__ import annotations

import heapq
import itertools
import sys
import traceback
import warnings
import weakref

from .. import _messages as M
from .grad_mode import STATE

__all__ = ["Node", "SavedTensor", "AccumulateGrad", "run_backward", "saved_tensors_hooks",
           "save_on_cpu", "register_multi_grad_hook", "GradientEdge", "get_gradient_edge"]

_counter = itertools.count()
_ACC_SEQ = float("inf")


class RemovableHandle:
    """Returned by ``register_hook``: ``remove()`` stops the hook from firing."""

    _next_id = itertools.count()

    __slots__ = ("hooks_dict", "id")

    def __init__(self, hooks_dict):
        # a plain dict cannot be weakly referenced; the dict never refers back to its handles,
        # so holding it here makes no cycle
        self.hooks_dict = hooks_dict
        self.id = next(RemovableHandle._next_id)

    def remove(self) -> None:
        self.hooks_dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.remove()


class Node:
    """A function of the backward graph (``grad_fn``); subclasses are named as torch names them.

    Hot fields live in ``__slots__``; rarely used ones (hooks, anomaly traces, a user
    Function's ctx attributes) go to a lazily created ``__dict__`` and default to the class
    attributes below, so making a node costs nothing for them.
    """

    __slots__ = ("next_functions", "_seq", "_meta", "__dict__", "__weakref__")
    _n_outputs = 1
    _pre_hooks = None          # {id: fn(grad_outputs) -> new grad_outputs or None}
    _post_hooks = None         # {id: fn(grad_inputs, grad_outputs) -> new grad_inputs or None}
    _tensor_pre_hooks = None   # {output_nr: {id: fn(grad) -> grad or None}}
    _retains_grad = None       # {output_nr: weakref to the tensor}
    _trace = None              # forward stack, recorded in anomaly mode
    _released = False
    _parent = None             # anomaly mode: the node whose backward created this one

    def __init__(self, inputs=()):
        # Runs once per recorded op. One- and two-input ops (most of them) build their edges
        # and input metadata directly; the loop below is the general case.
        n = len(inputs)
        if n == 2:
            t = inputs[0]
            if t is not None and t._rg:
                fn = t.grad_fn
                e0 = (fn, t._output_nr) if fn is not None else (grad_accumulator(t), 0)
                a = t._data
                m0 = (a.shape, a.dtype)
            else:
                e0 = _NO_EDGE
                m0 = None
            t = inputs[1]
            if t is not None and t._rg:
                fn = t.grad_fn
                e1 = (fn, t._output_nr) if fn is not None else (grad_accumulator(t), 0)
                a = t._data
                m1 = (a.shape, a.dtype)
            else:
                e1 = _NO_EDGE
                m1 = None
            self.next_functions = (e0, e1)
            # shape and dtype of each input, to reduce broadcast gradients and cast them
            self._meta = [m0, m1]
        elif n == 1:
            t = inputs[0]
            if t is not None and t._rg:
                fn = t.grad_fn
                self.next_functions = ((fn, t._output_nr) if fn is not None else (grad_accumulator(t), 0),)
                a = t._data
                self._meta = [(a.shape, a.dtype)]
            else:
                self.next_functions = (_NO_EDGE,)
                self._meta = [None]
        else:
            nf = []
            meta = []
            for t in inputs:
                if t is not None and t._rg:
                    fn = t.grad_fn
                    nf.append((fn, t._output_nr) if fn is not None else (grad_accumulator(t), 0))
                    a = t._data
                    meta.append((a.shape, a.dtype))
                else:
                    nf.append(_NO_EDGE)
                    meta.append(None)
            self.next_functions = tuple(nf)
            self._meta = meta
        self._seq = next(_counter)
        if STATE.anomaly:
            self._trace = _forward_trace()
            if _current_node[0] is not None:
                self._parent = _current_node[0]

    # ---- the API torch's graph nodes have ----
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    @property
    def metadata(self) -> dict:
        d = self.__dict__.get("_metadata")
        if d is None:
            d = self.__dict__["_metadata"] = {}
        return d

    def _sequence_nr(self) -> int:
        return self._seq

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = {}
        h = RemovableHandle(self._post_hooks)
        self._post_hooks[h.id] = fn
        return h

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        h = RemovableHandle(self._pre_hooks)
        self._pre_hooks[h.id] = fn
        return h

    def _register_tensor_hook(self, output_nr: int, fn):
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = {}
        d = self._tensor_pre_hooks.setdefault(output_nr, {})
        h = RemovableHandle(d)
        d[h.id] = fn
        return h

    # torch exposes saved values as ``_saved_<name>``. They are properties made per subclass from
    # its slots (``self_`` -> ``_saved_self``, ``other_scalar`` -> ``_saved_other``, the generic
    # ``saved`` slot -> ``_saved_self`` or ``_saved_result``) rather than a ``__getattr__``:
    # NOTE: defining ``__getattr__`` disables CPython's specialised attribute access on every
    # node, which costs the engine and every backward formula about 17 ns per attribute read.
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for slot in cls.__dict__.get("__slots__", ()):
            if slot in _BASE_SLOTS or slot == "variable":
                continue
            names = ("self", "result") if slot == "saved" else (
                slot[:-7] if slot.endswith("_scalar") else slot.rstrip("_"),)
            for name in names:
                attr = "_saved_" + name
                if not hasattr(cls, attr):
                    setattr(cls, attr, _saved_property(name))

    def __dir__(self):
        # the generated properties are candidates, not all valid for every node: keep them out
        # of dir() (tools probe them by name, as torch's are listed per node)
        return [n for n in object.__dir__(self) if not n.startswith("_saved_")]

    # ---- what subclasses define ----
    def backward(self, grad):
        raise NotImplementedError(f"the derivative for '{self.name()}' is not implemented.")

    def apply(self, grads):
        """Gradients of the inputs, given the gradients of the outputs (a list)."""
        return self.backward(grads[0])

    def __call__(self, *grads):
        return self.apply(list(grads))

    def _release(self) -> None:
        """Free saved tensors after a backward that does not retain the graph."""
        cls = self.__class__
        slots = _ALL_SLOTS.get(cls)
        if slots is None:
            slots = _ALL_SLOTS[cls] = tuple(s for s in _slot_names(cls) if s not in _BASE_SLOTS)
        for slot in slots:
            v = getattr(self, slot, None)
            if v.__class__ is SavedTensor:
                v.release()
                # marked only when something was freed: a node that saved nothing may run again,
                # as in torch (and marking it would make its instance dict for nothing)
                self._released = True


def _saved_property(name: str) -> property:
    def get(self):
        found, value = _lookup_saved(self, name)
        if found:
            return value
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '_saved_{name}'")
    return property(get)


_NO_EDGE = (None, 0)
# the base class's own slots, never saved tensors (reading ``__dict__`` would also create it)
_BASE_SLOTS = frozenset(("next_functions", "_seq", "_meta", "__dict__", "__weakref__"))
_ALL_SLOTS: dict = {}   # node class -> its own slot names along its MRO (saved tensors to free)


def _slot_names(cls) -> list:
    names = []
    for c in cls.__mro__:
        for sl in c.__dict__.get("__slots__", ()):
            names.append(sl)
    return names


def _lookup_saved(node, name: str):
    """``(found, value)`` for ``node._saved_<name>``, as torch exposes saved values."""
    slots = _slot_names(type(node))
    for cand in (name, name + "_"):
        if cand in slots:
            v = getattr(node, cand, None)
            if v.__class__ is SavedTensor:
                return True, v.unpack(node)
            if v is None and cand + "_scalar" not in slots and (name + "_scalar") not in slots:
                return True, None
            if v is None:
                continue
            if isinstance(v, list):
                v = tuple(v)
            return True, v
    for cand in (name + "_scalar",):
        if cand in slots:
            v = getattr(node, cand, None)
            if v is not None:
                from .._creation import tensor
                # NOTE: torch wraps a Python scalar operand into a 0-d tensor before saving it
                return True, tensor(v)
    if "saved" in slots:
        v = getattr(node, "saved", None)
        if v.__class__ is SavedTensor:
            is_result = v._fn.__class__ is type
            if (name == "result") == bool(is_result):
                return True, v.unpack(node)
    return False, None


class SavedTensor:
    """A tensor saved for backward, with the version it had when saved.

    Outputs of the node itself are kept as data plus version counter (not the tensor) so that a
    node never owns a tensor that owns the node: no reference cycles.
    """

    __slots__ = ("_t", "_data", "_version", "_vc", "_rg", "_nr", "_fn", "_packed", "_unpack", "_freed")

    def __init__(self, t, output_of=None):
        self._freed = False
        self._version = t._vc.v
        self._vc = t._vc
        # an output keeps its node's class only (the node owns this: no reference cycle)
        self._fn = output_of.__class__ if output_of is not None else t.grad_fn
        self._nr = t._output_nr
        self._unpack = None
        if output_of is not None:
            self._t = None
            self._data = t._data
            self._rg = t._rg
        else:
            self._t = t
        if _saved_hooks_stack:
            pack, unpack = _saved_hooks_stack[-1]
            self._packed = pack(t if output_of is None else _output_view(self, output_of))
            self._unpack = unpack
            self._t = self._data = None

    def release(self) -> None:
        self._t = self._data = self._packed = None
        self._freed = True

    def unpack(self, node=None):
        """The saved tensor; raises torch's errors if it was freed or modified in place."""
        if self._freed:
            raise RuntimeError(M.BACKWARD_TWICE)
        if self._vc.v != self._version:
            raise RuntimeError(self._modified_message())
        if self._unpack is not None:
            return self._unpack(self._packed)
        if self._t is not None:
            return self._t
        return _output_view(self, node)

    def _modified_message(self) -> str:
        from .._tensor import _legacy_type
        t = self._t
        data = self._data if t is None else t._data
        shape = ", ".join(str(s) for s in data.shape)
        # NOTE: torch names the producing node without its "Backward<N>" suffix: the node saved
        # with an output, or the current grad_fn of a saved input.
        fn = self._fn if self._t is None else t.grad_fn
        if t is not None and t._base is not None and t._rg:
            # NOTE: torch re-derives a view's grad_fn once its base's version moved, and then
            # names it AsStrided (e.g. Linear's ``weight.t()`` after ``optimizer.step()``)
            out = ", which is output 0 of AsStrided,"
        else:
            out = f", which is output {self._nr} of {_short_name(fn)}," if fn is not None else ""
        hint = M.INPLACE_HINT_ANOMALY if STATE.anomaly else M.INPLACE_HINT
        return M.INPLACE_MODIFIED.format(type=_legacy_type(data.dtype), shape=shape, output=out,
                                         version=self._vc.v, expected=self._version, hint=hint)


def _short_name(fn) -> str:
    import re
    name = fn.__name__ if isinstance(fn, type) else fn.name()
    # "ExpBackward0" -> "Exp", "ClampBackward1" -> "Clamp1" (torch keeps a nonzero suffix)
    return re.sub(r"Backward0$|Backward(?=\d+$)", "", name)


def _output_view(st, node):
    from .._tensor import _wrap
    t = _wrap(st._data)
    t._vc = st._vc
    if st._rg and node is not None:
        t._rg = True
        t.grad_fn = node
        t._output_nr = st._nr
    return t


class AccumulateGrad(Node):
    """The node that adds a gradient into a leaf's ``.grad``."""

    __slots__ = ("variable",)

    def name(self) -> str:
        # NOTE: torch reports the accumulator by its C++ name
        return "torch::autograd::AccumulateGrad"

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()
        self._meta = [(variable._data.shape, variable._data.dtype)]
        self._seq = _ACC_SEQ

    @property
    def _tensor_pre_hooks(self):
        hooks = self.variable._hooks
        return {0: hooks} if hooks else None

    def apply(self, grads):
        g = grads[0]
        var = self.variable
        old = var._grad
        if old is None:
            # NOTE: as torch, the first gradient is a copy (under create_graph a graph-recording
            # copy into a new tensor, so x.grad shows grad_fn=<CopyBackwards>) unless nobody
            # else can see it: then it is taken as is (torch checks the reference count too);
            # later ones are added in place, or out of place when the graph is being recorded.
            if STATE.grad_enabled:
                var._grad = _recorded_copy(g)
            else:
                own = _stealable(g, var)
                var._grad = own if own is not None else _detached_copy(g)
        elif STATE.grad_enabled:
            var._grad = old + g
        else:
            old._data += g._data
            old._vc.v += 1
        if var._post_acc_hooks:
            for h in tuple(var._post_acc_hooks.values()):
                h(var)
        return ()


_getrefcount = sys.getrefcount
_Tensor = None        # set by ember._tensor (which imports this module first)
_Tensor_wrap = None   # ember._tensor._wrap, set likewise
# References to a gradient that only the engine holds, as counted inside ``_stealable``: the
# engine's buffer list, ``AccumulateGrad.apply``'s local, the argument, getrefcount's own; to
# its array: the tensor's slot, the local ``a``, getrefcount's own.
_ENGINE_REFS = 4
_ARRAY_REFS = 3
# From 3.14 the interpreter may hold borrowed (uncounted) references on its stack, so a low count
# no longer proves that nobody else holds the tensor: copy there, as before.
_COUNTS_EXACT = sys.version_info < (3, 14)


def _stealable(g, var):
    """``g`` itself, or a plain tensor over its array, when that may become ``var.grad``
    without a copy; else None.

    That is when no one else refers to the tensor, to its array or to the memory behind it
    (for a view, such as the transpose that ``Linear``'s weight gradient arrives as, its base
    tensor must be referenced by this view only); and the array is writable, C-ordered (as the
    copy would be, so ``x.grad.is_contiguous()`` as in torch) and of the leaf's shape and dtype.
    """
    a = g._data
    if (not _COUNTS_EXACT or _getrefcount(g) > _ENGINE_REFS or g.__class__ is not _Tensor
            or g.grad_fn is not None or g._rg or _getrefcount(a) > _ARRAY_REFS):
        return None
    flags = a.flags
    if not (flags.c_contiguous and flags.writeable and a.shape == var._data.shape
            and a.dtype == var._data.dtype):
        return None
    tb = g._base
    if tb is None:
        # NumPy points a view's ``base`` at the object owning the memory, never at a view;
        # counted: the view's pointer and getrefcount's own
        if a.base is None or _getrefcount(a.base) <= 2:
            return g
        return None
    # a tensor view: its root tensor is held by this view only (its ``_base`` entry, the local
    # ``tb``, getrefcount's own) and owns the memory (its slot, the view's pointer, the arg)
    if (_getrefcount(tb) <= 3 and tb._data is a.base and _getrefcount(a.base) <= 3
            and tb.__class__ is _Tensor and tb.grad_fn is None):
        return _Tensor_wrap(a)
    return None


def _recorded_copy(g):
    from .._creation import empty_like
    return empty_like(g).copy_(g) if g._rg else g.clone()


def _detached_copy(g):
    from .._tensor import _wrap
    return _wrap(g._data.copy())


def grad_accumulator(t) -> AccumulateGrad:
    """The leaf's accumulator node; one per leaf while anything refers to it."""
    ref = t._acc
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._acc = weakref.ref(acc)
    return acc


# ------------------------------------------------------------------------------------------
# saved tensor hooks
_saved_hooks_stack: list = []


class saved_tensors_hooks:
    """Context manager: ``pack_hook(tensor)`` runs when a tensor is saved for backward,
    ``unpack_hook(packed)`` when it is used."""

    def __init__(self, pack_hook, unpack_hook):
        self.hooks = (pack_hook, unpack_hook)

    def __enter__(self):
        _saved_hooks_stack.append(self.hooks)
        return self

    def __exit__(self, *a):
        _saved_hooks_stack.pop()


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors are copied at save time (here, everything already lives on the CPU)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        super().__init__(lambda t: (t, t.detach().clone()), lambda p: _restore_on_cpu(p))


def _restore_on_cpu(p):
    orig, copy = p
    if orig._rg:
        return orig
    return copy


class disable_saved_tensors_hooks:
    def __init__(self, error_message: str):
        self.msg = error_message

    def __enter__(self):
        return self

    def __exit__(self, *a):
        pass


# ------------------------------------------------------------------------------------------
# the engine
_current_node = [None]


def _validate(g, meta):
    """Reduce a broadcast gradient to the input's shape and cast it to the input's dtype."""
    shape, dtype = meta
    if g._data.shape != shape:
        g = g.sum_to_size(shape)
    if g._data.dtype != dtype:
        from .._dtype import from_np
        g = g.to(from_np(dtype))  # meta holds a NumPy dtype; Tensor.to takes an ember dtype
    return g


def _needed_nodes(roots, targets):
    """Nodes from which some target node can be reached (only those run in autograd.grad)."""
    needed = {}
    stack = [(r, False) for r in roots]
    while stack:
        n, done = stack.pop()
        if done:
            needed[n] = n in targets or any(needed.get(f, False) for f, _ in n.next_functions if f is not None)
            continue
        if n in needed:
            continue
        needed[n] = False
        stack.append((n, True))
        for f, _ in n.next_functions:
            if f is not None and f not in needed:
                stack.append((f, False))
    return {n for n, v in needed.items() if v}


def run_backward(roots, grads, retain_graph: bool, create_graph: bool, inputs=None,
                 allow_unused: bool = False, accumulate: bool = True):
    """Run the backward pass from ``roots`` (tensors) seeded with ``grads``.

    With ``inputs``, returns the gradients reaching them (``autograd.grad`` when ``accumulate``
    is false; ``backward(inputs=...)`` when true, which accumulates into those only).
    """
    root_edges = []
    for t, g in zip(roots, grads):
        fn = t.grad_fn
        root_edges.append((fn, t._output_nr, g) if fn is not None else (grad_accumulator(t), 0, g))

    # count dependencies: how many edges enter each reachable node. A node is pushed once: the
    # roots up front, any other node when its first edge is seen (``deps`` doubles as "seen").
    deps = {}
    root_nodes = set()
    stack = []
    for fn, _, _ in root_edges:
        if fn not in root_nodes:
            root_nodes.add(fn)
            stack.append(fn)
    while stack:
        for f, _ in stack.pop().next_functions:
            if f is not None:
                c = deps.get(f)
                if c is None:
                    deps[f] = 1
                    if f not in root_nodes:
                        stack.append(f)
                else:
                    deps[f] = c + 1

    captures = None
    needed = None
    if inputs is not None:
        captures = {}   # node -> [(output_nr, index into results)]
        for i, t in enumerate(inputs):
            fn = t.grad_fn
            if fn is None:
                fn, nr = grad_accumulator(t), 0
            else:
                nr = t._output_nr
            captures.setdefault(fn, []).append((nr, i))
        needed = _needed_nodes([e[0] for e in root_edges], captures)
        if accumulate:
            # backward(inputs=...): accumulate into these leaves only; run what leads to them
            captures = None
    results = [None] * (len(inputs) if inputs is not None else 0)

    buffers = {}
    for fn, nr, g in root_edges:
        buf = buffers.get(fn)
        if buf is None:
            buf = buffers[fn] = [None] * fn._n_outputs
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    root_edges = g = None   # the engine's buffers are now the only holders (see _stealable)

    ready = []
    heappush, heappop = heapq.heappush, heapq.heappop
    for fn in buffers:
        if deps.get(fn, 0) == 0:
            heappush(ready, (-fn._seq, id(fn), fn))

    # the common case (backward() without inputs) skips the capture and pruning tests
    plain = captures is None and needed is None
    prev_mode = STATE.grad_enabled
    STATE.grad_enabled = create_graph
    anomaly = STATE.anomaly
    nxt = None   # a node made ready when nothing else was: run next without the heap
    try:
        while nxt is not None or ready:
            if nxt is not None:
                node = nxt
                nxt = None
            else:
                node = heappop(ready)[2]
            grads_in = buffers.pop(node, None)
            run = False
            if grads_in is not None:
                if len(grads_in) == 1:
                    run = grads_in[0] is not None
                else:
                    for g in grads_in:
                        if g is not None:
                            run = True
                            break
            out = ()
            if run:
                if node._tensor_pre_hooks:
                    for nr, hooks in node._tensor_pre_hooks.items():
                        g = grads_in[nr]
                        if g is not None:
                            for h in tuple(hooks.values()):
                                r = h(g)
                                if r is not None:
                                    g = r
                            grads_in[nr] = g
                if node._retains_grad:
                    for nr, ref in node._retains_grad.items():
                        t = ref()
                        g = grads_in[nr]
                        if t is not None and g is not None:
                            _retain(t, g)
                    t = None
                if not plain:
                    if captures is not None and node in captures:
                        for nr, i in captures[node]:
                            g = grads_in[nr]
                            if g is not None:
                                results[i] = g if results[i] is None else results[i] + g
                    if needed is not None and node not in needed:
                        run = False
                    elif captures is not None and node.__class__ is AccumulateGrad:
                        run = False
                g = None   # drop the engine's own reference before the node may take the gradient
            if run:
                if node._pre_hooks:
                    for h in tuple(node._pre_hooks.values()):
                        r = h(tuple(grads_in))
                        if r is not None:
                            grads_in = list(r)
                if anomaly:   # the node whose backward creates nodes is their parent
                    _current_node[0] = node
                try:
                    out = node.apply(grads_in)
                    if anomaly and STATE.anomaly_nan:
                        _check_nan(node, out)
                except Exception as e:
                    if STATE.anomaly:
                        _anomaly_warn(node)
                    if node._released and not isinstance(e, RuntimeError):
                        raise RuntimeError(M.BACKWARD_TWICE) from e
                    raise
                finally:
                    if anomaly:
                        _current_node[0] = None
                if node._post_hooks:
                    out = tuple(out)
                    for h in tuple(node._post_hooks.values()):
                        r = h(out, tuple(grads_in))
                        if r is not None:
                            out = tuple(r)
                if not retain_graph:
                    node._release()
            grads_in = None
            n_out = len(out)
            i = -1
            for f, nr in node.next_functions:
                i += 1
                if f is None:
                    continue
                if run and (plain or f in needed):
                    g = out[i] if i < n_out else None
                    if g is not None:
                        meta = node._meta[i]
                        if meta is not None and (g._data.shape != meta[0] or g._data.dtype != meta[1]):
                            g = _validate(g, meta)
                        buf = buffers.get(f)
                        if buf is None:
                            buf = buffers[f] = [None] * f._n_outputs
                            buf[nr] = g
                        else:
                            old = buf[nr]
                            buf[nr] = g if old is None else old + g
                            old = None
                d = deps[f] - 1
                deps[f] = d
                if d == 0:
                    if nxt is None and not ready:
                        nxt = f
                    else:
                        if nxt is not None:
                            heappush(ready, (-nxt._seq, id(nxt), nxt))
                            nxt = None
                        heappush(ready, (-f._seq, id(f), f))
            # nothing of this node's may stay referenced here: the next one may take a gradient
            # without copying it only if the engine's buffer is its sole holder
            out = g = buf = None
    finally:
        STATE.grad_enabled = prev_mode

    if inputs is not None and not accumulate and not allow_unused:
        for i, r in enumerate(results):
            if r is None:
                raise RuntimeError(_UNUSED_INPUT.format(i=i))
    return results


_UNUSED_INPUT = ("The differentiated Tensor at index {i} appears to not have been used in the graph. "
                 "Set allow_unused=True if this is the desired behavior.")


def _retain(t, g):
    if t._grad is None:
        t._grad = g.clone() if STATE.grad_enabled else _detached_copy(g)
    else:
        t._grad = t._grad + g


_EMBER_DIR = __file__.rsplit("autograd", 1)[0]
_TRIGGERED = " (Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:122.)"


def _forward_trace() -> list:
    """The user's stack at the op being recorded (ember's own frames left out)."""
    frames = [f for f in traceback.extract_stack()[:-2] if not f.filename.startswith(_EMBER_DIR)]
    return traceback.format_list(frames)


def _anomaly_warn(node):
    trace = "".join(node._trace or ())
    warnings.warn(M.ANOMALY_ERROR.format(name=node.name(), trace=trace) + _TRIGGERED, UserWarning,
                  stacklevel=2)
    parent = node._parent
    while parent is not None:
        warnings.warn(
            "\n\nPrevious calculation was induced by " + parent.name()
            + ". Traceback of forward call that induced the previous calculation:\n"
            + "".join(parent._trace or ()), UserWarning, stacklevel=2)
        parent = parent._parent


def _check_nan(node, out):
    for i, g in enumerate(out):
        if g is not None and (g.dtype.is_floating_point or g.dtype.is_complex):
            import numpy
            if numpy.isnan(g._data).any():
                raise RuntimeError(M.ANOMALY_NAN.format(name=node.name(), i=i))


class GradientEdge:
    """An edge of the graph: a node and which of its inputs (``get_gradient_edge``)."""

    def __init__(self, node, output_nr):
        self.node, self.output_nr = node, output_nr

    def __iter__(self):
        return iter((self.node, self.output_nr))


def get_gradient_edge(tensor) -> GradientEdge:
    if tensor.grad_fn is not None:
        return GradientEdge(tensor.grad_fn, tensor._output_nr)
    return GradientEdge(grad_accumulator(tensor), 0)


def register_multi_grad_hook(tensors, fn, *, mode: str = "all"):
    """Call ``fn(grads)`` once the gradients of all ``tensors`` have been computed."""
    tensors = tuple(tensors)
    state = {"grads": [None] * len(tensors), "count": 0}
    handles = []
    for i, t in enumerate(tensors):
        def hook(g, i=i):
            state["grads"][i] = g
            state["count"] += 1
            if mode == "any" or state["count"] == sum(1 for x in tensors if x._rg):
                fn(tuple(state["grads"]) if mode == "all" else g)
                state["grads"] = [None] * len(tensors)
                state["count"] = 0
        if t._rg:
            handles.append(t.register_hook(hook))

    class _Multi:
        def remove(self_inner):
            for h in handles:
                h.remove()
    return _Multi()
