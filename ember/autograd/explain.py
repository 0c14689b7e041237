"""Why has this no gradient? ``explain(output, inputs)`` says, for each input, whether the
backward of ``output`` reaches it and, if not, why.

What it can tell without help: whether each input is reached (by walking ``output.grad_fn``),
whether an input requires grad at all, whether it is a non-leaf whose ``.grad`` will stay
None, whether its ``.grad`` already holds values that backward will add to, and whether an
optimizer will move a parameter whose gradient is zero rather than None.

Where a path was *cut* (``detach()``, ``.data``, a ``no_grad`` block, an op with no gradient
such as ``argmax``, a comparison or an integer cast) leaves no trace in the graph. Run the
forward inside ``with ember.autograd.explaining():`` and the cut is named with its source line.
While that mode is on, a profile hook records, for each ember call made from user code, which
tensors went in and which came out (a small side table keyed by ``id`` and cleaned by weak
references); when it is off nothing is recorded and no op pays anything.

>>> import ember
>>> x = ember.tensor([1.0, 2.0], requires_grad=True)
>>> w = ember.tensor([3.0, 4.0], requires_grad=True)
>>> with ember.autograd.explaining():
...     h = x.detach()
...     loss = (h * w).sum()
>>> r = ember.autograd.explain(loss, {"x": x, "w": w})
>>> r["w"].reached, r["x"].reached, r["x"].reason
(True, False, 'detach')
"""
from __future__ import annotations

import os
import sys
import weakref
from typing import Any, Dict, Iterator, List, Optional

__all__ = ["explain", "explaining", "GradReport", "GradEntry", "REASONS"]

# reason codes, with what each means
REASONS = {
    "ok": "backward reaches the input and stores its gradient in .grad",
    "non_leaf": "reached, but the input is not a leaf: its .grad stays None unless retain_grad() was called",
    "accumulates": "reached, but .grad already holds values from an earlier backward: they will be added to",
    "requires_grad_false": "the input does not require grad",
    "detach": "the path is cut by detach()",
    "data": "the path is cut by .data",
    "no_grad": "the path is cut by an op run while gradients were disabled (no_grad)",
    "non_differentiable": "the path goes through an op that has no gradient",
    "not_used": "the output was not computed from the input",
    "not_reached": "backward does not reach the input (run the forward under explaining() to see where it was cut)",
    "optimizer_moves": "no gradient reaches the input, yet its .grad is zero (not None) and the optimizer will still move it",
    "output_no_grad": "the output does not require grad, so backward cannot run",
}

_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_EXAMPLES_DIR = _EMBER_DIR + "examples" + os.sep


# ------------------------------------------------------------------------------------------
# recording (only while explaining() is on)
class _Rec:
    """How one tensor came to be: the op, the user line, the input records, and whether the
    op cut the gradient path (and how)."""

    __slots__ = ("ref", "op", "where", "inputs", "cut", "block")

    def __init__(self, t, op, where, inputs, cut, block=None):
        key = id(t)
        self.ref = weakref.ref(t, lambda _r, key=key: _forget(key, _r))
        self.op, self.where, self.inputs, self.cut, self.block = op, where, inputs, cut, block


_table: Dict[int, _Rec] = {}           # id(tensor) -> its latest record
_backward_at: Dict[int, Any] = {}      # id(leaf) -> (weakref, "file:line" of the last backward, roots)
_flag_at: Dict[int, Any] = {}          # id(tensor) -> (weakref, "file:line", value) of requires_grad=...
_blocks: List[str] = []                # where the grad-disabling blocks now open were entered
_is_ember: Dict[Any, bool] = {}        # code object -> is it ember's own code
_depth = [0]
_saved_profile: List[Any] = []
_special: Dict[Any, str] = {}          # code objects of grad-mode enter/exit and backward


def _forget(key: int, ref) -> None:
    rec = _table.get(key)
    if rec is not None and rec.ref is ref:
        del _table[key]


def _ember_code(code) -> bool:
    r = _is_ember.get(code)
    if r is None:
        fn = code.co_filename
        r = _is_ember[code] = fn.startswith(_EMBER_DIR) and not fn.startswith(_EXAMPLES_DIR)
    return r


def _init_special() -> None:
    if _special:
        return
    from . import grad_mode as G
    from .. import _tensor
    from .. import autograd as A
    for cls in (G.no_grad, G.inference_mode, G.set_grad_enabled, G.enable_grad):
        _special[cls.__enter__.__code__] = "enter"
        _special[cls.__exit__.__code__] = "exit"
    _special[_tensor.Tensor.backward.__code__] = "backward"
    _special[A.backward.__code__] = "backward"
    _special[_tensor.Tensor.requires_grad_.__code__] = "flag"
    _special[_tensor.Tensor.requires_grad.fset.__code__] = "flag"


def _leaf_rec(t) -> _Rec:
    rec = _table.get(id(t))
    if rec is None or rec.ref() is not t:
        rec = _table[id(t)] = _Rec(t, None, None, (), None)
    return rec


def _collect(value, out: list, depth: int = 0) -> None:
    from .._tensor import Tensor
    if isinstance(value, Tensor):
        out.append(value)
    elif depth == 0 and isinstance(value, (list, tuple)):
        for v in value:
            _collect(v, out, 1)
    elif depth == 0 and isinstance(value, dict):
        for v in value.values():
            _collect(v, out, 1)
    elif depth == 0 and hasattr(value, "parameters") and hasattr(value, "_parameters"):
        # a Module passed to (or calling) an ember function: its parameters are inputs too
        out.extend(value.parameters())


def _args(frame) -> list:
    code = frame.f_code
    n = code.co_argcount + code.co_kwonlyargcount
    n += bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)   # *args, **kwargs
    loc = frame.f_locals
    found: list = []
    for name in code.co_varnames[:n]:
        if name in loc:
            _collect(loc[name], found)
    return found


def _profile(frame, event, arg):
    if event == "return":
        code = frame.f_code
        if _ember_code(code):
            back = frame.f_back
            if back is not None and not _ember_code(back.f_code):
                try:
                    _on_return(frame, back, arg)
                except Exception:  # noqa: BLE001 - a recorder must never break the user's program
                    pass
    if _saved_profile and _saved_profile[-1] is not None:
        _saved_profile[-1](frame, event, arg)


def _where(frame) -> str:
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _on_return(frame, back, result) -> None:
    from .._tensor import Tensor
    from .grad_mode import STATE
    code = frame.f_code
    special = _special.get(code)
    if special is not None:
        if special == "enter":
            _blocks.append(_where(back))
        elif special == "exit":
            if _blocks:
                _blocks.pop()
        elif special == "flag":
            loc = frame.f_locals
            t = loc.get("self")
            if t is not None:
                value = loc.get("requires_grad", loc.get("value"))
                _flag_at[id(t)] = (weakref.ref(t), _where(back), bool(value))
        else:
            _note_backward(frame, _where(back))
        return
    if isinstance(result, Tensor):
        outs = (result,)
    elif isinstance(result, (tuple, list)) and result and any(isinstance(r, Tensor) for r in result):
        outs = tuple(r for r in result if isinstance(r, Tensor))
    else:
        return
    ins = _args(frame)
    where = _where(back)
    op = code.co_name
    if op in ("f", "op", "fn", "wrapper"):   # ops made by a factory: their name is in a local
        loc = frame.f_locals
        if isinstance(loc.get("name"), str):
            op = loc["name"]
        elif "dt" in loc:
            op = f"cast to {loc['dt']!r}"   # the .long()/.float()/... casters
    any_rg = any(t._rg for t in ins)
    for o in outs:
        inplace = any(t is o for t in ins)
        old = _table.get(id(o))
        if old is not None and old.ref() is o and not inplace:
            continue   # already recorded by the user code that made it (e.g. a module's forward)
        inputs = tuple(_leaf_rec(t) for t in ins if t is not o)
        if inplace and old is not None and old.ref() is o:
            inputs = (old,) + inputs
        cut = None
        block = None
        if op in ("detach", "detach_"):
            cut = "detach"
        elif op == "data":
            cut = "data"
        elif any_rg and not o._rg:
            if not STATE.grad_enabled:
                cut = "no_grad"
                block = _blocks[-1] if _blocks else None
            else:
                cut = "non_differentiable"
        _table[id(o)] = _Rec(o, op, where, inputs, cut, block)


def _note_backward(frame, where: str) -> None:
    loc = frame.f_locals
    roots = []
    _collect(loc.get("self", loc.get("tensors")), roots)
    root_fns = tuple(weakref.ref(r.grad_fn) for r in roots if r.grad_fn is not None)
    for var in _leaves(roots):
        _backward_at[id(var)] = (weakref.ref(var), where, root_fns)


def _leaves(roots) -> list:
    seen, out, stack = set(), [], [r.grad_fn for r in roots if r.grad_fn is not None]
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        v = getattr(n, "variable", None)
        if v is not None:
            out.append(v)
        stack.extend(f for f, _ in n.next_functions)
    return out


class explaining:
    """Context manager: record where gradient paths get cut, for ``explain``.

    Costs nothing while off. While on, every call from user code into ember goes through a
    profile hook (a few times slower: use it to debug, not to train).

    >>> import ember
    >>> x = ember.ones(2, requires_grad=True)
    >>> with ember.autograd.explaining():
    ...     y = (x.argmax() * x).sum()
    >>> ember.autograd.explain(y, x).entries[0].reason
    'ok'
    """

    def __enter__(self) -> "explaining":
        _init_special()
        _depth[0] += 1
        if _depth[0] == 1:
            prev = sys.getprofile()
            _saved_profile.append(prev)
            sys.setprofile(_profile)
        return self

    def __exit__(self, *exc) -> None:
        _depth[0] -= 1
        if _depth[0] == 0:
            sys.setprofile(_saved_profile.pop())
            _blocks.clear()

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with explaining():
                return func(*args, **kwargs)
        return wrapper


def is_explaining() -> bool:
    """Whether ``explaining()`` is on."""
    return _depth[0] > 0


# ------------------------------------------------------------------------------------------
# the report
class GradEntry:
    """What ``explain`` found for one input."""

    __slots__ = ("name", "reached", "reason", "message", "where")

    def __init__(self, name: str, reached: bool, reason: str, message: str, where: Optional[str]):
        self.name, self.reached, self.reason, self.message, self.where = name, reached, reason, message, where

    @property
    def line(self) -> Optional[int]:
        """The line number of ``where`` (None when not known)."""
        return None if self.where is None else int(self.where.rsplit(":", 1)[1])

    @property
    def file(self) -> Optional[str]:
        return None if self.where is None else self.where.rsplit(":", 1)[0]

    def __repr__(self) -> str:
        return (f"GradEntry(name={self.name!r}, reached={self.reached}, reason={self.reason!r}, "
                f"where={self.where!r})")

    def __str__(self) -> str:
        mark = "reached" if self.reached else "NOT reached"
        return f"[{self.reason}] {self.name}: {mark}. {self.message}"


class GradReport:
    """The answer of ``explain``: a header and one ``GradEntry`` per input (printable;
    index it by position or by name)."""

    def __init__(self, output_name: str, header: str, entries: List[GradEntry]):
        self.output_name, self.header, self.entries = output_name, header, entries

    def __iter__(self) -> Iterator[GradEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, key) -> GradEntry:
        if isinstance(key, int):
            return self.entries[key]
        for e in self.entries:
            if e.name == key:
                return e
        raise KeyError(key)

    @property
    def ok(self) -> bool:
        """True when every input gets its gradient in ``.grad`` with no surprise."""
        return all(e.reason == "ok" for e in self.entries)

    def __str__(self) -> str:
        return "\n".join([self.header] + ["  " + _short(str(e)) for e in self.entries])

    __repr__ = __str__


def _short(text: str) -> str:
    """Show paths relative to the working directory when that is shorter."""
    cwd = os.getcwd() + os.sep
    return text.replace(cwd, "")


# ------------------------------------------------------------------------------------------
# the analysis
def _named_inputs(inputs, caller_locals) -> list:
    from .._tensor import Tensor
    if isinstance(inputs, Tensor):
        return [(_guess_name(inputs, caller_locals, "input"), inputs)]
    if isinstance(inputs, dict):
        return [(str(k), v) for k, v in inputs.items()]
    if hasattr(inputs, "named_parameters"):
        return list(inputs.named_parameters())
    return [(_guess_name(t, caller_locals, f"inputs[{i}]"), t) for i, t in enumerate(inputs)]


def _guess_name(t, caller_locals, default: str) -> str:
    for k, v in caller_locals.items():
        if v is t and not k.startswith("_"):
            return k
    return default


def _graph(output):
    """Edges ``(id(node), output_nr)`` and leaves (by id) reachable from ``output``."""
    edges, leaves, seen = set(), set(), set()
    fn = output.grad_fn
    if fn is None:
        if output._rg:
            leaves.add(id(output))
        return edges, leaves
    edges.add((id(fn), output._output_nr))
    stack = [fn]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        v = getattr(n, "variable", None)
        if v is not None:
            leaves.add(id(v))
        for f, nr in n.next_functions:
            if f is not None:
                edges.add((id(f), nr))
                stack.append(f)
    return edges, leaves


def _find_cut(output, x):
    """Search the recorded data flow from ``output`` back to ``x``.

    Returns (recorded, found, cut_record): whether ``output`` was recorded at all, whether a
    path to ``x`` exists, and the record of the cut on it nearest to the output (or None).
    """
    start = _table.get(id(output))
    if start is None or start.ref() is not output:
        return False, False, None
    # breadth first; each item carries the nearest cut met so far on its path
    frontier = [(start, start.cut and start)]
    seen = {id(start)}
    while frontier:
        nxt = []
        for rec, cut in frontier:
            if rec.ref() is x and rec is not start:
                return True, True, cut or None
            for r in rec.inputs:
                if id(r) in seen:
                    continue
                seen.add(id(r))
                nxt.append((r, cut or (r.cut and r) or None))
        frontier = nxt
    # the output itself may be x
    return True, start.ref() is x, None


def _nearest_cut(output) -> Optional[_Rec]:
    """The recorded cut nearest to ``output`` on any path into it (None if none recorded)."""
    start = _table.get(id(output))
    if start is None or start.ref() is not output:
        return None
    frontier, seen = [start], {id(start)}
    while frontier:
        nxt = []
        for rec in frontier:
            if rec.cut:
                return rec
            for r in rec.inputs:
                if id(r) not in seen:
                    seen.add(id(r))
                    nxt.append(r)
        frontier = nxt
    return None


def _cut_sentence(kind: str, rec: _Rec, name: str, out_name: str) -> str:
    w = _short(rec.where or "?")
    if kind == "detach":
        return (f"the path from {out_name} to {name} is cut by {rec.op}() at {w}: it returns a tensor "
                f"with the same values but no history, so no gradient flows back through it.")
    if kind == "data":
        return (f"the path from {out_name} to {name} is cut by .data at {w}: .data is the same memory "
                f"without history (prefer .detach(), and leave it out where a gradient should flow).")
    if kind == "no_grad":
        inside = f" inside the no_grad block entered at {_short(rec.block)}" if rec.block else " while gradients were disabled"
        return (f"the path from {out_name} to {name} is cut at {w}: {rec.op} ran{inside}, so it was "
                f"not recorded; move it out of the block if a gradient should flow through it.")
    return (f"the path from {out_name} to {name} goes through {_op_text(rec.op)} at {w}, which has no "
            f"gradient (its result does not require grad): an index, a comparison or an integer "
            f"cannot carry a gradient.")


_OP_NAMES = {"gt": "a comparison (>)", "lt": "a comparison (<)", "ge": "a comparison (>=)",
             "le": "a comparison (<=)", "eq": "a comparison (==)", "ne": "a comparison (!=)",
             "__gt__": "a comparison (>)", "__lt__": "a comparison (<)", "__ge__": "a comparison (>=)",
             "__le__": "a comparison (<=)", "__eq__": "a comparison (==)", "__ne__": "a comparison (!=)"}


def _op_text(op: str) -> str:
    if op.startswith("cast to"):
        return "an integer cast (" + op + ")" if ("int" in op or "bool" in op) else op
    return _OP_NAMES.get(op, f"{op}()")


def _is_zero(t) -> bool:
    return not bool(t._data.any())


def _optimizer_moves(optimizer, p) -> Optional[str]:
    """Why ``optimizer.step()`` would change ``p`` although its gradient is zero, or None."""
    # NOTE: as in torch, optimizers skip a parameter whose .grad is None but update one whose
    # .grad is a zero tensor: weight decay and momentum/Adam state still move it.
    for group in optimizer.param_groups:
        if not any(q is p for q in group["params"]):
            continue
        why = []
        wd = group.get("weight_decay", 0) or 0
        if wd:
            why.append(f"weight_decay={wd}")
        state = optimizer.state.get(p) if hasattr(optimizer.state, "get") else None
        for key, label in (("momentum_buffer", "its momentum buffer"),
                           ("exp_avg", "its running average of past gradients (exp_avg)")):
            buf = (state or {}).get(key)
            if buf is not None and not _is_zero(buf):
                why.append(label)
        return " and ".join(why) if why else None
    return None


def explain(output, inputs=None, *, optimizer=None) -> GradReport:
    """Why each of ``inputs`` does or does not get a gradient from ``output.backward()``.

    ``inputs``: a tensor, a list of tensors, a dict name -> tensor, or an ``nn.Module`` (its
    named parameters); None means the leaves of ``output``'s graph. ``optimizer``: also check
    whether ``optimizer.step()`` would move parameters whose gradient is zero.
    Cuts (detach, .data, no_grad, ops with no gradient) are named with their source line when
    the forward ran under ``explaining()``.

    >>> import ember
    >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * 2
    >>> loss = y.sum()
    >>> print(explain(loss, [x, y]))  # doctest: +ELLIPSIS
    Gradient report for loss (grad_fn=<SumBackward0>)
      [ok] x: reached. backward() stores its gradient in x.grad.
      [non_leaf] y: reached. ...
    """
    caller = sys._getframe(1).f_locals
    out_name = _guess_name(output, caller, "output")
    if inputs is None:
        named = [(_guess_name(v, caller, f"leaf[{i}]"), v) for i, v in enumerate(_leaves([output]))]
    else:
        named = _named_inputs(inputs, caller)
    edges, leaves = _graph(output)
    recorded = _table.get(id(output))
    recorded = recorded is not None and recorded.ref() is output

    if output._rg:
        header = f"Gradient report for {out_name} (grad_fn=<{output.grad_fn.name()}>)" if output.grad_fn is not None \
            else f"Gradient report for {out_name} (a leaf that requires grad)"
    else:
        header = f"Gradient report for {out_name}: {out_name} does not require grad, so {out_name}.backward() raises"
        rec = _nearest_cut(output)
        if rec is not None:
            header += f" ({REASONS[rec.cut][4:]}: {_op_text(rec.op)} at {_short(rec.where)})"
    entries = []
    for name, x in named:
        entries.append(_explain_one(output, out_name, name, x, edges, leaves, recorded, optimizer))
    return GradReport(out_name, header, entries)


def _explain_one(output, out_name, name, x, edges, leaves, recorded, optimizer) -> GradEntry:
    if x is output:
        reached = output._rg
    elif x.grad_fn is None:
        reached = id(x) in leaves
    else:
        reached = (id(x.grad_fn), x._output_nr) in edges

    if reached:
        # NOTE: as in torch, backward fills .grad of leaves only; a non-leaf keeps None (and
        # reading it warns) unless retain_grad() was called before backward.
        if x.grad_fn is not None and not x._retains:
            rec = _table.get(id(x))
            where = rec.where if rec is not None and rec.ref() is x else None
            return GradEntry(name, True, "non_leaf",
                             f"{name} is not a leaf (it was made by {x.grad_fn.name()}): the gradient flows "
                             f"through it but {name}.grad stays None; call {name}.retain_grad() before "
                             f"backward, or use torch.autograd.grad({out_name}, {name}).", where)
        g = x._grad
        if g is not None and not _is_zero(g):
            at = _backward_at.get(id(x))
            at = at if at is not None and at[0]() is x else None
            if at is not None and output.grad_fn is not None and any(r() is output.grad_fn for r in at[2]):
                # the values came from this very output's backward (explain called after it)
                return GradEntry(name, True, "ok",
                                 f"backward() at {_short(at[1])} stored its gradient in {name}.grad "
                                 f"(another backward would add to it).", None)
            where = at[1] if at is not None else None
            since = f" (from the backward at {_short(where)})" if where else ""
            return GradEntry(name, True, "accumulates",
                             f"{name}.grad already holds values{since}; backward adds the new gradient to "
                             f"them. Call optimizer.zero_grad() (or set {name}.grad = None) before backward.",
                             where)
        return GradEntry(name, True, "ok", f"backward() stores its gradient in {name}.grad.", None)

    # not reached: first, why
    own = _table.get(id(x))
    own = own if own is not None and own.ref() is x else None
    if not x._rg:
        if own is not None and own.cut:
            reason, where = own.cut, own.where
            msg = (f"{name} does not require grad: it was made by {_op_text(own.op)} at "
                   f"{_short(own.where)} ({REASONS[own.cut][4:]}).")
        else:
            reason, where = "requires_grad_false", None
            flag = _flag_at.get(id(x))
            if flag is not None and flag[0]() is x and not flag[2]:
                where = flag[1]
                what = f"requires_grad was set to False at {_short(where)}"
            elif own is not None and not own.inputs:
                where = own.where
                what = f"it was created by {own.op}() at {_short(where)} without requires_grad=True"
            elif type(x).__name__ == "Parameter":
                what = "requires_grad was switched off: a frozen parameter"
            else:
                what = "a leaf created without requires_grad=True"
            msg = (f"{name} does not require grad ({what}); call {name}.requires_grad_() before using "
                   f"it, if it should get a gradient.")
    elif not output._rg and not recorded:
        reason, where = "output_no_grad", None
        msg = (f"{out_name} does not require grad (computed under no_grad, detached, or from tensors "
               f"that do not require grad); run the forward under torch.autograd.explaining() to see where.")
    elif not recorded:
        reason, where = "not_reached", None
        msg = (f"backward of {out_name} does not reach {name}: either {out_name} was not computed from "
               f"{name}, or the path was cut by detach(), .data, no_grad or an op with no gradient; run "
               f"the forward under torch.autograd.explaining() to see where.")
    else:
        _, found, cut = _find_cut(output, x)
        if found and cut is not None:
            reason, where = cut.cut, cut.where
            msg = _cut_sentence(cut.cut, cut, name, out_name)
        elif found:
            reason, where = "not_reached", None
            msg = (f"{out_name} was computed from {name}, yet backward does not reach it: an op on the "
                   f"way did not record a gradient.")
        else:
            reason, where = "not_used", None
            msg = (f"{out_name} was not computed from {name} ({name} is not in its graph; values taken "
                   f"out with .item(), .tolist() or .numpy() and put back also lose the link).")

    if optimizer is not None and x._grad is not None and _is_zero(x._grad):
        moves = _optimizer_moves(optimizer, x)
        if moves:
            return GradEntry(name, False, "optimizer_moves",
                             f"no gradient reaches {name} ({REASONS[reason] if reason in REASONS else reason}), "
                             f"but {name}.grad is a zero tensor, not None, so {type(optimizer).__name__}.step() "
                             f"still changes {name} because of {moves}; set {name}.grad = None "
                             f"(zero_grad(set_to_none=True)) or leave {name} out of the optimizer.", where)
    return GradEntry(name, False, reason, msg, where)
