"""``torch.autograd.functional``: Jacobians, Hessians and vector products of whole functions.

Every function here is built on ``autograd.grad``: a vector-Jacobian product is one backward
pass; a Jacobian-vector product uses the double-backward trick (the vjp is linear in its vector
``u``, so differentiating ``u -> vjp(u) . v`` in ``u`` gives ``J v``).

>>> import ember
>>> from ember.autograd.functional import jacobian
>>> jacobian(lambda x: x ** 2, ember.tensor([1.0, 2.0]))
tensor([[2., 0.],
        [0., 4.]])
"""
from __future__ import annotations

from typing import Callable

from .grad_mode import STATE, enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _tensor_cls():
    from .._tensor import Tensor
    return Tensor


def _as_tuple(x, arg_name: str, fn_name: str):
    """``(is_tuple, tuple_of_tensors)`` with torch's type errors."""
    Tensor = _tensor_cls()
    is_tuple = True
    if not isinstance(x, tuple):
        x = (x,)
        is_tuple = False
    for i, el in enumerate(x):
        if not isinstance(el, Tensor):
            if is_tuple:
                raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but the"
                                f" value at index {i} has type {type(el)}.")
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but the"
                            f" given {arg_name} has type {type(el)}.")
    return is_tuple, x


def _tuple_postprocess(res, to_unpack):
    """Undo the tuple wrapping (``to_unpack`` is one flag, or two for nested results)."""
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _grad_preprocess(inputs, create_graph: bool, need_graph: bool):
    """Fresh inputs to differentiate with respect to: aliases of the user's tensors that keep
    their graph when ``create_graph`` (so the result can be differentiated further)."""
    out = []
    for x in inputs:
        if create_graph and x._rg:
            out.append(x.view_as(x))
        else:
            out.append(x.detach().requires_grad_(need_graph))
    return tuple(out)


def _grad_postprocess(inputs, create_graph: bool):
    Tensor = _tensor_cls()
    if isinstance(inputs[0], Tensor) or inputs[0] is None:
        if not create_graph:
            return tuple(None if x is None else x.detach() for x in inputs)
        return inputs
    return tuple(_grad_postprocess(x, create_graph) for x in inputs)


def _validate_v(v, other, is_other_tuple: bool) -> None:
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.shape != el_other.shape:
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(f"{prepend}v has invalid size: should be {el_other.shape} but got {el_v.shape}.")


def _check_requires_grad(inputs, input_type: str, strict: bool) -> None:
    if not strict:
        return
    if input_type not in ("outputs", "grad_inputs", "jacobian", "hessian"):
        raise RuntimeError("Invalid input_type to _check_requires_grad")
    for i, inp in enumerate(inputs):
        if inp is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is not allowed in strict mode.")
        if not inp._rg:
            if input_type == "hessian":
                raise RuntimeError(f"The hessian of the user-provided function with respect to input {i} is independent of the input. This is not allowed in strict mode. You should ensure that your function is thrice differentiable and that the hessian depends on the inputs.")
            if input_type == "jacobian":
                raise RuntimeError(f"While computing the hessian, found that the jacobian of the user-provided function with respect to input {i} is independent of the input. This is not allowed in strict mode. You should ensure that your function is twice differentiable and that the jacobian depends on the inputs (this would be violated by a linear function for example).")
            if input_type == "grad_inputs":
                raise RuntimeError(f"The gradient with respect to input {i} is independent of the inputs of the user-provided function. This is not allowed in strict mode.")
            raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. The outputs must be computed in a differentiable manner from the input when running in strict mode.")


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph: bool = False,
                   retain_graph=None):
    """``autograd.grad`` over the outputs that require grad; None for unreachable inputs."""
    from . import grad as _grad
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    new_out, new_go = [], []
    for out, go in zip(outputs, grad_outputs):
        if out is not None and out._rg:
            new_out.append(out)
            new_go.append(go)
    if not new_out:
        return (None,) * len(inputs)
    return _grad(tuple(new_out), inputs, tuple(new_go), allow_unused=True, create_graph=create_graph,
                 retain_graph=retain_graph)


def _fill_in_zeros(grads, refs, strict: bool, create_graph: bool, stage: str):
    from .._creation import zeros_like
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                if stage == "back":
                    raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is not allowed in strict mode.")
                if stage == "back_trick":
                    raise RuntimeError(f"The gradient with respect to the input is independent of entry {i} in the grad_outputs when using the double backward trick to compute forward mode gradients. This is not allowed in strict mode.")
                if stage == "double_back":
                    raise RuntimeError(f"The jacobian of the user-provided function is independent of input {i}. This is not allowed in strict mode.")
                raise RuntimeError(f"The hessian of the user-provided function is independent of entry {i} in the grad_jacobian. This is not allowed in strict mode as it prevents from using the double backward trick to replace forward mode AD.")
            g = zeros_like(refs[i])
        elif strict and create_graph and not g._rg:
            if "double" not in stage:
                raise RuntimeError(f"The jacobian of the user-provided function is independent of input {i}. This is not allowed in strict mode when create_graph=True.")
            raise RuntimeError(f"The hessian of the user-provided function is independent of input {i}. This is not allowed in strict mode when create_graph=True.")
        res.append(g)
    return tuple(res)


def _stack(tensors, dim: int = 0):
    """Differentiable stack of equally shaped tensors (``ember.stack`` when it exists)."""
    import ember
    st = getattr(ember, "stack", None)
    if st is not None:
        return st(tensors, dim)
    return _fallback_stack(tensors, dim)


def _fallback_stack(tensors, dim: int):
    from .._backend import np
    from .._tensor import _wrap
    from .graph import Node
    arrs = [t._data for t in tensors]
    out = _wrap(np.stack(arrs, dim))
    if STATE.grad_enabled and any(t._rg for t in tensors):
        from .._ops._util import record
        record(_StackBackward0, out, tuple(tensors)).dim = dim % out._data.ndim
    return out


from .graph import Node as _Node  # noqa: E402


class _StackBackward0(_Node):
    """stack: each input's gradient is its slice of the output's gradient."""

    __slots__ = ("dim",)

    def backward(self, g):
        lead = (slice(None),) * self.dim
        return tuple(None if f is None else g[lead + (i,)]
                     for i, (f, _) in enumerate(self.next_functions))


_StackBackward0.__name__ = _StackBackward0.__qualname__ = "StackBackward0"


def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``.

    >>> import ember
    >>> vjp(lambda x: x * 3, ember.ones(2), ember.tensor([1.0, 2.0]))
    (tensor([3., 3.]), tensor([3., 6.]))
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict=strict)
        if v is not None:
            _, v = _as_tuple(v, "v", "vjp")
            v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
            _validate_v(v, outputs, is_outputs_tuple)
        else:
            if len(outputs) != 1 or outputs[0].nelement() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided function returns a single Tensor with a single element.")
        with set_grad(True):
            grad_res = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
            vjp_res = _fill_in_zeros(grad_res, inputs, strict, create_graph, "back")
    outputs = _grad_postprocess(outputs, create_graph)
    vjp_res = _grad_postprocess(vjp_res, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(vjp_res, is_inputs_tuple)


class set_grad:
    """Context manager setting grad mode (internal helper)."""

    def __init__(self, mode: bool):
        self.mode = mode

    def __enter__(self):
        self.prev = STATE.grad_enabled
        STATE.grad_enabled = self.mode

    def __exit__(self, *a):
        STATE.grad_enabled = self.prev


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: the Jacobian-vector product, by the double-backward trick.

    >>> import ember
    >>> jvp(lambda x: x * 3, ember.ones(2), ember.tensor([1.0, 2.0]))
    (tensor([3., 3.]), tensor([3., 6.]))
    """
    from .._creation import zeros_like
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        if v is not None:
            _, v = _as_tuple(v, "v", "jvp")
            v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
            _validate_v(v, inputs, is_inputs_tuple)
        else:
            if len(inputs) != 1 or inputs[0].nelement() != 1:
                raise RuntimeError("The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.")
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict=strict)
        # NOTE: the double-backward trick, as torch's own jvp: u -> vjp(u) is linear in u, so
        # its derivative in u, applied to v, is J v.
        grad_outputs = tuple(zeros_like(out).requires_grad_(True) for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict=strict)
        if create_graph:
            with enable_grad():
                grad_res = _autograd_grad(grad_inputs, grad_outputs, v, create_graph=create_graph)
                jvp_res = _fill_in_zeros(grad_res, outputs, strict, create_graph, "back_trick")
        else:
            grad_res = _autograd_grad(grad_inputs, grad_outputs, v, create_graph=create_graph)
            jvp_res = _fill_in_zeros(grad_res, outputs, strict, create_graph, "back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    jvp_res = _grad_postprocess(jvp_res, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(jvp_res, is_outputs_tuple)


def _eye_rows(n: int, like):
    from .._creation import zeros
    from .._backend import np
    e = zeros((n, n), dtype=like.dtype)
    e._data[np.arange(n), np.arange(n)] = 1
    return e


def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: shape ``output.shape + input.shape`` (nested
    tuples for several outputs or inputs).

    ``vectorize=True`` is accepted and computed by the same loop of products (correct, not
    faster). ``strategy='forward-mode'`` (which torch allows only with ``vectorize=True``) runs
    one Jacobian-vector product per input element.

    >>> import ember
    >>> jacobian(lambda x: x.sum(), ember.ones(3))
    tensor([1., 1., 1.])
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                         'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                         'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError("torch.autograd.functional.jacobian: `create_graph=True` and `strategy=\"forward-mode\"` are not supported together (yet). Please either set `create_graph=False` or `strategy=\"reverse-mode\"`.")
        if not vectorize:
            raise NotImplementedError("torch.autograd.functional.jacobian: `strict=True` and `strategy=\"forward-mode\"` are not supported together (yet). Please either set `strict=False` or `strategy=\"reverse-mode\"`." if strict else "Computing Jacobian using forward-AD or forward-over-reverse Hessian is only implemented for `vectorize=True`.")
        return _jacfwd(func, inputs, strict)
    if strict and vectorize:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not supported together. Please either set `strict=False` or `vectorize=False`.")

    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict=strict)

        jacobian_rows = []
        for i, out in enumerate(outputs):
            jac_i = [[] for _ in inputs]
            flat = out.reshape(-1)
            n = flat.nelement()
            eye = _eye_rows(n, out) if n else None
            for j in range(n):
                vj = _autograd_grad((flat,), inputs, (eye[j],), retain_graph=True,
                                    create_graph=create_graph)
                for el_idx, (jac_el, vj_el, inp_el) in enumerate(zip(jac_i, vj, inputs)):
                    if vj_el is not None:
                        if strict and create_graph and not vj_el._rg:
                            raise RuntimeError(f"The jacobian of the user-provided function is independent of input {i}. This is not allowed in strict mode when create_graph=True.")
                        jac_el.append(vj_el)
                    else:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of input {el_idx}. This is not allowed in strict mode.")
                        from .._creation import zeros_like
                        jac_el.append(zeros_like(inp_el))
            row = []
            for el_idx, jac_el in enumerate(jac_i):
                shape = tuple(out.shape) + tuple(inputs[el_idx].shape)
                if jac_el:
                    row.append(_stack(jac_el, 0).view(shape))
                else:
                    from .._creation import zeros
                    row.append(zeros(shape, dtype=inputs[el_idx].dtype))
            jacobian_rows.append(tuple(row))
        jacobian_rows = _grad_postprocess(tuple(jacobian_rows), create_graph)
        return _tuple_postprocess(jacobian_rows, (is_outputs_tuple, is_inputs_tuple))


def _jacfwd(func, inputs, strict):
    """Forward-mode Jacobian: one Jacobian-vector product per input element."""
    from .._creation import zeros_like
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    with enable_grad():
        outputs = func(*inputs)
    is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jacobian")
    per_input = []
    for k, inp in enumerate(inputs):
        cols = []
        n = inp.nelement()
        eye = _eye_rows(n, inp)
        for j in range(n):
            v = tuple(eye[j].view(inp.shape) if m == k else zeros_like(x) for m, x in enumerate(inputs))
            _, jv = jvp(func, inputs, v)
            cols.append(jv if is_outputs_tuple else (jv,))
        per_input.append(cols)
    rows = []
    for i, out in enumerate(outputs):
        row = []
        for k, inp in enumerate(inputs):
            cols = [c[i] for c in per_input[k]]
            st = _stack(cols, -1) if cols else zeros_like(out).unsqueeze(-1)[..., :0]
            row.append(st.reshape(tuple(out.shape) + tuple(inp.shape)))
        rows.append(row)
    # NOTE: torch's forward-mode jacobian gives nested lists, not tuples
    return _tuple_postprocess(rows, (is_outputs_tuple, is_inputs_tuple))


def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a scalar function: the Jacobian of its gradient.

    >>> import ember
    >>> hessian(lambda x: (x ** 3).sum(), ember.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def ensure_single_output_function(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict=strict)
        if is_out_tuple or not isinstance(out, _tensor_cls()):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single element")
        return out.squeeze()

    def jac_func(*inp):
        if outer_jacobian_strategy == "forward-mode":
            inp = tuple(t.requires_grad_(True) if not t._rg else t for t in inp)
        jac = jacobian(ensure_single_output_function, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict=strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))


def _scalar_function_jacobian(func, inputs, v, create_graph, strict, name):
    """What ``vhp`` and ``hvp`` share: check the arguments, run ``func`` (which must return a
    single one-element tensor) and take its gradient with a graph. Runs with grad enabled."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", name)
    inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
    if v is not None:
        _, v = _as_tuple(v, "v", name)
        v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
        _validate_v(v, inputs, is_inputs_tuple)
    elif len(inputs) != 1 or inputs[0].nelement() != 1:
        raise RuntimeError("The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.")
    outputs = func(*inputs)
    is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", name)
    _check_requires_grad(outputs, "outputs", strict=strict)
    if is_outputs_tuple or not isinstance(outputs[0], _tensor_cls()):
        raise RuntimeError(f"The function given to {name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {name} should contain a single element")
    jac = _autograd_grad(outputs, inputs, create_graph=True)
    return is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T H)`` for a scalar function.

    >>> import ember
    >>> vhp(lambda x: (x ** 3).sum(), ember.tensor([1.0, 2.0]), ember.ones(2))[1]
    tensor([ 6., 12.])
    """
    with enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _scalar_function_jacobian(
            func, inputs, v, create_graph, strict, "vhp")
        _check_requires_grad(jac, "jacobian", strict=strict)
        with set_grad(create_graph):
            grad_res = _autograd_grad(jac, inputs, v, create_graph=create_graph)
            vhp_res = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back")
    outputs = _grad_postprocess(outputs, create_graph)
    vhp_res = _grad_postprocess(vhp_res, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(vhp_res, is_inputs_tuple)


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)`` for a scalar function (double-backward trick).

    >>> import ember
    >>> hvp(lambda x: (x ** 3).sum(), ember.tensor([1.0, 2.0]), ember.ones(2))[1]
    tensor([ 6., 12.])
    """
    from .._creation import zeros_like
    with enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _scalar_function_jacobian(
            func, inputs, v, create_graph, strict, "hvp")
        _check_requires_grad(jac, "jacobian", strict=strict)
        grad_jac = tuple(zeros_like(inp).requires_grad_(True) for inp in inputs)
        double_back = _autograd_grad(jac, inputs, grad_jac, create_graph=True)
        _check_requires_grad(jac, "hessian", strict=strict)
        with set_grad(create_graph):
            grad_res = _autograd_grad(double_back, grad_jac, v, create_graph=create_graph)
            hvp_res = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    hvp_res = _grad_postprocess(hvp_res, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(hvp_res, is_inputs_tuple)
