"""``torch.func``: function transforms ``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``,
``jacfwd``, ``hessian`` and ``vmap``.

They are built on the backward graph: a transform makes fresh inputs that the function is
differentiated against (aliases that keep the outer graph when the transform is nested, so
``grad(grad(f))`` and ``jacfwd(jacrev(f))`` work). Forward-mode products use the
double-backward trick. ``vmap`` is a loop over the mapped dimension whose results are stacked:
correct for any function, not vectorized.

>>> import ember
>>> from ember.func import grad
>>> grad(lambda x: (x ** 3).sum())(ember.tensor([1.0, 2.0]))
tensor([ 3., 12.])
"""
from __future__ import annotations

import functools
from typing import Callable, Union

from ._tensor import Tensor
from .autograd.grad_mode import STATE
from .autograd.graph import AccumulateGrad

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap"]


# ------------------------------------------------------------------------------------------
# small pytree helpers (tensors inside tuples, lists and dicts)
def _leaves(tree) -> list:
    if isinstance(tree, Tensor):
        return [tree]
    if isinstance(tree, (tuple, list)):
        return [x for el in tree for x in _leaves(el)]
    if isinstance(tree, dict):
        return [x for el in tree.values() for x in _leaves(el)]
    return []


def _map(fn, tree):
    if isinstance(tree, Tensor):
        return fn(tree)
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return type(tree)(*(_map(fn, el) for el in tree))
    if isinstance(tree, (tuple, list)):
        return type(tree)(_map(fn, el) for el in tree)
    if isinstance(tree, dict):
        return {k: _map(fn, v) for k, v in tree.items()}
    return tree


def _unflatten(tree, flat: list):
    it = iter(flat)
    return _map(lambda _: next(it), tree)


# ------------------------------------------------------------------------------------------
class _Level:
    """The inputs of one transform and whether its results must keep an outer graph."""

    def __init__(self, outer_grad: bool):
        self.outer_grad = outer_grad
        self.leaves = []

    def lift(self, x: Tensor) -> Tensor:
        if x._data.dtype.kind not in "fc":
            return x
        if self.outer_grad and x._rg:
            y = x.view_as(x)          # keeps the outer graph: nested transforms compose
        else:
            y = x.detach().requires_grad_(True)
            self.leaves.append(y)
        return y

    def lower(self, t):
        """Detach a result unless it depends on something outside this transform."""
        if not isinstance(t, Tensor) or t.grad_fn is None:
            return t
        if self.outer_grad and _reaches_outside(t, self.leaves):
            return t
        return t.detach()


def _reaches_outside(t: Tensor, inner_leaves) -> bool:
    inner = {id(x) for x in inner_leaves}
    seen = {t.grad_fn}
    stack = [t.grad_fn]
    while stack:
        n = stack.pop()
        if n.__class__ is AccumulateGrad:
            if id(n.variable) not in inner:
                return True
            continue
        for f, _ in n.next_functions:
            if f is not None and f not in seen:
                seen.add(f)
                stack.append(f)
    return False


class _Enable:
    def __enter__(self):
        self.prev = STATE.grad_enabled
        STATE.grad_enabled = True
        return self.prev

    def __exit__(self, *a):
        STATE.grad_enabled = self.prev


def _argnums_tuple(argnums, n_args: int, api: str):
    if isinstance(argnums, int):
        nums = (argnums,)
    elif isinstance(argnums, tuple) and argnums and all(isinstance(a, int) for a in argnums):
        nums = argnums
    else:
        raise RuntimeError(f"{api}: argnums must be int or Tuple[int, ...], got: {type(argnums)}" if not isinstance(argnums, tuple)
                           else f"{api}: argnums must be non-empty")
    out = []
    for a in nums:
        if not -n_args <= a < n_args:
            raise RuntimeError(f"Got argnum={a}, but only {n_args} positional inputs")
        out.append(a % n_args)
    return tuple(out)


def _grads(outputs, inputs, grad_outputs, create_graph: bool):
    from .autograd import grad as _grad
    from ._creation import zeros_like
    outs, gos = [], []
    for o, g in zip(outputs, grad_outputs):
        if o._rg:
            outs.append(o)
            gos.append(g)
    if not outs:
        return [zeros_like(x) for x in inputs]
    res = _grad(outs, inputs, gos, retain_graph=True, create_graph=create_graph, allow_unused=True)
    return [zeros_like(x) if r is None else r for r, x in zip(res, inputs)]


def _stack(tensors, dim: int = 0):
    from .autograd.functional import _stack as st
    return st(tensors, dim)


def _basis(x: Tensor):
    """The rows of an identity matrix of ``x.numel()``, each shaped like ``x``."""
    from ._creation import zeros
    n = x._data.size
    rows = []
    for j in range(n):
        e = zeros(x.shape, dtype=x.dtype)
        e._data.reshape(-1)[j] = 1
        rows.append(e)
    return rows


# ------------------------------------------------------------------------------------------
def grad_and_value(func: Callable, argnums: Union[int, tuple] = 0, has_aux: bool = False) -> Callable:
    """A function returning ``(gradient, value)`` of the scalar ``func``.

    >>> import ember
    >>> grad_and_value(lambda x: (x * x).sum())(ember.tensor([1.0, 2.0]))
    (tensor([2., 4.]), tensor(5.))
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), "grad_and_value(f)(*args)")
        with _Enable() as outer:
            lvl = _Level(outer)
            args = list(args)
            for a in nums:
                args[a] = _map(lvl.lift, args[a])
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: (output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(out)}")
            if out._data.ndim != 0:
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor with {out._data.ndim} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
            diff = [args[a] for a in nums]
            flat = _leaves(diff)
            gs = _grads([out], flat, [None], create_graph=outer)
        gs = [lvl.lower(g) for g in gs]
        tree = _unflatten(diff, gs)
        g = tree[0] if isinstance(argnums, int) else tuple(tree)
        value = lvl.lower(out)
        if has_aux:
            return g, (value, _map(lvl.lower, aux))
        return g, value
    return wrapper


def grad(func: Callable, argnums: Union[int, tuple] = 0, has_aux: bool = False) -> Callable:
    """A function returning the gradient of the scalar ``func`` with respect to ``argnums``.

    >>> import ember
    >>> grad(lambda x: x.sin().sum())(ember.tensor([0.0]))
    tensor([1.])
    """
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, v = gv(*args, **kwargs)
        if has_aux:
            return g, v[1]
        return g
    return wrapper


def vjp(func: Callable, *primals, has_aux: bool = False):
    """``(output, vjp_fn)``: ``vjp_fn(cotangents)`` gives the vector-Jacobian products (a tuple,
    one per primal).

    >>> import ember
    >>> out, fn = vjp(lambda x: x * 2, ember.ones(2))
    >>> fn(ember.tensor([1.0, 3.0]))
    (tensor([2., 6.]),)
    """
    with _Enable() as outer:
        lvl = _Level(outer)
        lifted = _map(lvl.lift, primals)
        out = func(*lifted)
        aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError("vjp(f, *primals): output of function f should be a tuple: (output, aux) if has_aux is True")
            out, aux = out
    flat_in = _leaves(lifted)
    flat_out = _leaves(out)

    def vjp_fn(*cotangents):
        ct = cotangents[0] if len(cotangents) == 1 and not isinstance(out, tuple) else cotangents
        if isinstance(out, tuple) and len(cotangents) == 1 and isinstance(cotangents[0], tuple):
            ct = cotangents[0]
        flat_ct = _leaves(ct)
        if len(flat_ct) != len(flat_out):
            raise RuntimeError(f"Expected pytree structure of cotangents to be the same as pytree structure of outputs to the function. cotangents: {len(flat_ct)} leaves, primal output: {len(flat_out)} leaves")
        for c, o in zip(flat_ct, flat_out):
            if c._data.shape != o._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {c.shape} and output[0] has a shape of {o.shape}.")
        with _Enable():
            gs = _grads(flat_out, flat_in, flat_ct, create_graph=outer or any(c._rg for c in flat_ct))
        gs = [lvl.lower(g) for g in gs]
        return tuple(_unflatten(list(lifted), gs))

    res_out = _map(lvl.lower, out)
    if has_aux:
        return res_out, vjp_fn, _map(lvl.lower, aux)
    return res_out, vjp_fn


def _jvp_trick(outputs, inputs, tangents, create_graph: bool):
    """``J v`` for every output (double-backward trick)."""
    from ._creation import zeros_like
    us = [zeros_like(o).requires_grad_(True) for o in outputs]
    gs = _grads(outputs, inputs, us, create_graph=True)
    total = None
    for g, t in zip(gs, tangents):
        term = (g * t).sum()
        total = term if total is None else total + term
    if total is None or not total._rg:
        return [zeros_like(o) for o in outputs]
    return _grads([total], us, [None], create_graph=create_graph)


def jvp(func: Callable, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """``(func(*primals), J tangents)``.

    >>> import ember
    >>> jvp(lambda x: x ** 2, (ember.tensor([3.0]),), (ember.tensor([1.0]),))
    (tensor([9.]), tensor([6.]))
    """
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    if not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected tangents to be a tuple. E.g. it should be valid to call f(*primals).")
    if len(_leaves(primals)) != len(_leaves(tangents)):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the same python structure. For example, if primals is a tuple of 3 tensors, tangents also must be. Got primals with structure "
                           f"{len(_leaves(primals))} leaves and tangents with structure {len(_leaves(tangents))} leaves")
    for p, t in zip(_leaves(primals), _leaves(tangents)):
        if p._data.shape != t._data.shape:
            raise RuntimeError(f"jvp(f, primals, tangents): Expected primals and tangents to have the same shape. Got shapes {p.shape} and {t.shape}")
    with _Enable() as outer:
        lvl = _Level(outer)
        lifted = _map(lvl.lift, primals)
        out = func(*lifted)
        aux = None
        if has_aux:
            out, aux = out
        flat_out = _leaves(out)
        res = _jvp_trick(flat_out, _leaves(lifted), _leaves(tangents),
                         create_graph=outer or any(t._rg for t in _leaves(tangents)))
    tangent_out = _unflatten(out, [lvl.lower(r) for r in res])
    primal_out = _map(lvl.lower, out)
    if has_aux:
        return primal_out, tangent_out, _map(lvl.lower, aux)
    return primal_out, tangent_out


def _jac(func, argnums, has_aux: bool, forward: bool, api: str):
    def wrapper(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), api)
        with _Enable() as outer:
            lvl = _Level(outer)
            args = list(args)
            for a in nums:
                args[a] = _map(lvl.lift, args[a])
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
                out, aux = out
            flat_out = _leaves(out)
            diff = [args[a] for a in nums]
            flat_in = _leaves(diff)
            # jac[i][k]: d out_i / d in_k, shaped out_i.shape + in_k.shape
            jac = [[None] * len(flat_in) for _ in flat_out]
            if forward:
                for k, x in enumerate(flat_in):
                    cols = [[] for _ in flat_out]
                    for e in _basis(x):
                        tangents = [e if m == k else _zeros(y) for m, y in enumerate(flat_in)]
                        res = _jvp_trick(flat_out, flat_in, tangents, create_graph=outer)
                        for i, r in enumerate(res):
                            cols[i].append(r)
                    for i, o in enumerate(flat_out):
                        shape = tuple(o.shape) + tuple(x.shape)
                        jac[i][k] = (_stack(cols[i], -1).reshape(shape) if cols[i] else _zeros_shape(shape, o))
            else:
                for i, o in enumerate(flat_out):
                    rows = [[] for _ in flat_in]
                    for e in _basis(o):
                        gs = _grads([o], flat_in, [e], create_graph=outer)
                        for k, g in enumerate(gs):
                            rows[k].append(g)
                    for k, x in enumerate(flat_in):
                        shape = tuple(o.shape) + tuple(x.shape)
                        jac[i][k] = (_stack(rows[k], 0).reshape(shape) if rows[k] else _zeros_shape(shape, x))
        jac = [[lvl.lower(j) for j in row] for row in jac]
        per_out = []
        for row in jac:
            tree = _unflatten(diff, row)
            per_out.append(tree[0] if isinstance(argnums, int) else tuple(tree))
        result = _unflatten_outputs(out, per_out)
        if has_aux:
            return result, _map(lvl.lower, aux)
        return result
    return wrapper


def _unflatten_outputs(out, per_out):
    if isinstance(out, Tensor):
        return per_out[0]
    it = iter(per_out)
    return _map(lambda _: next(it), out)


def _zeros(like):
    from ._creation import zeros_like
    return zeros_like(like)


def _zeros_shape(shape, like):
    from ._creation import zeros
    return zeros(shape, dtype=like.dtype)


def jacrev(func: Callable, argnums: Union[int, tuple] = 0, *, has_aux: bool = False,
           chunk_size=None, _preallocate_and_copy: bool = False) -> Callable:
    """The Jacobian by reverse mode: one vector-Jacobian product per output element.

    >>> import ember
    >>> jacrev(lambda x: x * x)(ember.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    return functools.wraps(func)(_jac(func, argnums, has_aux, False, "jacrev(f, argnums)(*args)"))


def jacfwd(func: Callable, argnums: Union[int, tuple] = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable:
    """The Jacobian by forward products: one Jacobian-vector product per input element.

    >>> import ember
    >>> jacfwd(lambda x: x.sum())(ember.tensor([1.0, 2.0]))
    tensor([1., 1.])
    """
    return functools.wraps(func)(_jac(func, argnums, has_aux, True, "jacfwd(f, argnums)(*args)"))


def hessian(func: Callable, argnums: Union[int, tuple] = 0) -> Callable:
    """``jacfwd(jacrev(func))``.

    >>> import ember
    >>> hessian(lambda x: (x ** 3).sum())(ember.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)


# ------------------------------------------------------------------------------------------
def vmap(func: Callable, in_dims=0, out_dims=0, randomness: str = "error", *, chunk_size=None) -> Callable:
    """Map ``func`` over a dimension of its inputs (a loop; results are stacked at ``out_dims``).

    >>> import ember
    >>> vmap(lambda row: row.sum())(ember.ones(3, 2))
    tensor([2., 2., 2.])
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if isinstance(in_dims, int) or in_dims is None:
            dims = (in_dims,) * len(args)
        elif isinstance(in_dims, (tuple, list)):
            if len(in_dims) != len(args):
                raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the structure of `inputs`. in_dims has structure {len(in_dims)} leaves but inputs has structure {len(args)} leaves.")
            dims = tuple(in_dims)
        else:
            raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...): expected `in_dims` to be int or a (potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}.")
        sizes = []
        for a, d in zip(args, dims):
            for t in _leaves(a):
                if d is not None:
                    if t._data.ndim == 0 or not -t._data.ndim <= d < t._data.ndim:
                        raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but the input is of type {type(t)}. We cannot vmap over non-Tensor arguments, please use None as the respective in_dim" if not isinstance(t, Tensor)
                                         else f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some input, but that input is a Tensor of dimensionality {t._data.ndim} so expected in_dim to satisfy -{t._data.ndim} <= in_dim < {t._data.ndim}.")
                    sizes.append(t._data.shape[d])
        if not sizes:
            raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): at least one input must be a Tensor mapped over a dimension (got in_dims={in_dims}).")
        if len(set(sizes)) != 1:
            raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Expected all tensors to have the same size in the mapped dimension, got sizes {sizes} for the mapped dimension")
        n = sizes[0]
        results = []
        for b in range(n):
            call = []
            for a, d in zip(args, dims):
                if d is None:
                    call.append(a)
                else:
                    call.append(_map(lambda t, d=d: t[(slice(None),) * (d % t._data.ndim) + (b,)], a))
            results.append(func(*call, **kwargs))
        first = results[0]
        flat = [_leaves(r) if not isinstance(r, Tensor) else [r] for r in results]
        n_out = len(flat[0])
        odims = out_dims if isinstance(out_dims, (tuple, list)) else (out_dims,) * n_out
        stacked = []
        for i in range(n_out):
            od = odims[i]
            col = [f[i] for f in flat]
            if od is None:
                stacked.append(col[0])
            else:
                stacked.append(_stack(col, od if od >= 0 else od + col[0]._data.ndim + 1))
        if isinstance(first, Tensor):
            return stacked[0]
        return _unflatten(first, stacked)
    return wrapper


def _name(func) -> str:
    return getattr(func, "__name__", repr(func))


def functional_call(module, parameter_and_buffer_dicts, args=(), kwargs=None, *, tie_weights: bool = True,
                    strict: bool = False):
    """Call ``module`` with some parameters and buffers replaced (restored afterwards)."""
    if kwargs is None:
        kwargs = {}
    if not isinstance(args, tuple):
        args = (args,)
    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, (list, tuple)):
        merged = {}
        for d in dicts:
            merged.update(d)
        dicts = merged
    saved = {}
    try:
        for name, value in dicts.items():
            owner, attr = _owner(module, name)
            saved[name] = (owner, attr, owner.__dict__.get("_parameters", {}).get(attr, None),
                           owner.__dict__.get("_buffers", {}).get(attr, None), attr in owner.__dict__,
                           owner.__dict__.get(attr))
            for store in ("_parameters", "_buffers"):
                d = owner.__dict__.get(store)
                if d is not None and attr in d:
                    d.pop(attr)
            object.__setattr__(owner, attr, value)
        return module(*args, **kwargs)
    finally:
        for name, (owner, attr, p, b, had, old) in saved.items():
            if had:
                object.__setattr__(owner, attr, old)
            else:
                try:
                    object.__delattr__(owner, attr)
                except AttributeError:
                    pass
            if p is not None:
                owner.__dict__["_parameters"][attr] = p
            if b is not None:
                owner.__dict__["_buffers"][attr] = b


def _owner(module, name: str):
    parts = name.split(".")
    m = module
    for p in parts[:-1]:
        m = getattr(m, p)
    return m, parts[-1]


__all__ += ["functional_call"]
