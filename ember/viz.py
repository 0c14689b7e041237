"""Pictures of the backward graph: Graphviz DOT source (``make_dot``) and a plain-text tree
(``text``).

Both walk the graph only through what torch's graph nodes also offer (``grad_fn``,
``next_functions``, ``variable``, ``name()``, ``_saved_*``), so they draw torch tensors too.

>>> import ember
>>> x = ember.tensor([1.0, 2.0], requires_grad=True)
>>> y = (x * x).sum()
>>> print(text(y, params={"x": x}))
SumBackward0
└── MulBackward0
    ├── torch::autograd::AccumulateGrad  x (2)
    └── torch::autograd::AccumulateGrad  x (2)  (shown above)
>>> "MulBackward0" in make_dot(y).source
True
"""
from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["make_dot", "text", "Digraph", "ExecutableNotFound"]

_SAVED = "_saved_"


class ExecutableNotFound(RuntimeError):
    """Raised when rendering needs Graphviz's ``dot`` program and it is not installed."""


def _quote(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(kw: Dict[str, str]) -> str:
    return " ".join(f"{k}={_quote(v)}" for k, v in kw.items())


class Digraph:
    r"""DOT source of a directed graph, with ``render``/``pipe`` through Graphviz's ``dot``
    (the ``graphviz`` package's API, for the parts ``make_dot`` needs).

    >>> g = Digraph()
    >>> g.node("a", "A")
    >>> g.edge("a", "b")
    >>> g.source.split("\n")
    ['digraph {', '\t"a" [label="A"]', '\t"a" -> "b"', '}', '']
    """

    def __init__(self, node_attr: Optional[Dict[str, str]] = None,
                 graph_attr: Optional[Dict[str, str]] = None, format: str = "pdf") -> None:  # noqa: A002
        self.node_attr = dict(node_attr or {})
        self.graph_attr = dict(graph_attr or {})
        self.format = format
        self.body: List[str] = []

    def node(self, name: str, label: Optional[str] = None, **attrs: str) -> None:
        kw = {"label": label} if label is not None else {}
        kw.update(attrs)
        self.body.append(f"\t{_quote(name)} [{_attrs(kw)}]" if kw else f"\t{_quote(name)}")

    def edge(self, tail: str, head: str, **attrs: str) -> None:
        a = f" [{_attrs(attrs)}]" if attrs else ""
        self.body.append(f"\t{_quote(tail)} -> {_quote(head)}{a}")

    def attr(self, kw: str = "graph", **attrs: str) -> None:
        (self.graph_attr if kw == "graph" else self.node_attr).update(attrs)

    @property
    def source(self) -> str:
        lines = ["digraph {"]
        if self.graph_attr:
            lines.append(f"\tgraph [{_attrs(self.graph_attr)}]")
        if self.node_attr:
            lines.append(f"\tnode [{_attrs(self.node_attr)}]")
        lines.extend(self.body)
        lines.append("}")
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.source

    def pipe(self, format: Optional[str] = None) -> bytes:  # noqa: A002
        """The graph rendered by ``dot`` (``format``: svg, png, pdf...), as bytes."""
        fmt = format or self.format
        try:
            import graphviz  # the Python package, when installed
        except ImportError:
            graphviz = None
        if graphviz is not None:
            try:
                return graphviz.Source(self.source).pipe(format=fmt)
            except graphviz.ExecutableNotFound as e:
                raise ExecutableNotFound(str(e)) from None
        exe = shutil.which("dot")
        if exe is None:
            raise ExecutableNotFound("failed to execute 'dot', make sure the Graphviz executables "
                                     "are on your systems' PATH")
        r = subprocess.run([exe, "-T" + fmt], input=self.source.encode(), capture_output=True, check=False)
        if r.returncode != 0:
            raise RuntimeError(r.stderr.decode(errors="replace"))
        return r.stdout

    def render(self, filename: str = "Digraph.gv", directory: Optional[str] = None,
               format: Optional[str] = None, cleanup: bool = False) -> str:  # noqa: A002
        """Write the source to ``filename`` and the picture beside it; returns the picture's path."""
        fmt = format or self.format
        path = os.path.join(directory, filename) if directory else filename
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        data = self.pipe(fmt)
        with open(path, "w") as f:
            f.write(self.source)
        out = f"{path}.{fmt}"
        with open(out, "wb") as f:
            f.write(data)
        if cleanup:
            os.remove(path)
        return out

    def save(self, filename: str = "Digraph.gv", directory: Optional[str] = None) -> str:
        path = os.path.join(directory, filename) if directory else filename
        with open(path, "w") as f:
            f.write(self.source)
        return path

    def _repr_svg_(self) -> Optional[str]:
        try:
            return self.pipe("svg").decode()
        except (ExecutableNotFound, RuntimeError):
            return None


def _size(t) -> str:
    # NOTE: shapes print as torchviz prints them: "(3)" for one dimension, "()" for a scalar
    return "(" + ", ".join(str(int(v)) for v in t.shape) + ")"


def _saved_attrs(fn) -> List[str]:
    """The ``_saved_*`` attribute names of a graph node."""
    names = [a for a in dir(fn) if a.startswith(_SAVED)]
    if names:
        return names
    # a node that resolves _saved_* lazily (ember's Node): candidates from its slots
    found = []
    for cls in type(fn).__mro__:
        for slot in cls.__dict__.get("__slots__", ()):
            if slot.startswith("_") or slot in ("next_functions", "variable"):
                continue   # the node's own bookkeeping, not a saved value
            base = slot[:-7] if slot.endswith("_scalar") else slot.rstrip("_")
            cands = ("self", "result") if slot == "saved" else (base,)
            for c in cands:
                name = _SAVED + c
                if name in found:
                    continue
                try:
                    getattr(fn, name)
                except (AttributeError, RuntimeError):
                    continue
                found.append(name)
    return sorted(found)


def _saved_values(fn) -> List[Tuple[str, Any]]:
    out = []
    for name in _saved_attrs(fn):
        try:
            out.append((name[len(_SAVED):], getattr(fn, name)))
        except RuntimeError as e:  # freed by a backward without retain_graph
            out.append((name[len(_SAVED):], f"<{str(e).split('.')[0]}>"))
    return out


def _is_tensor(v) -> bool:
    return hasattr(v, "grad_fn") and hasattr(v, "shape") and hasattr(v, "requires_grad")


def _fmt_attr(v, limit: int) -> str:
    s = str(v)
    return s if len(s) <= limit else s[:limit - 3] + "..."


def _roots(output) -> list:
    return list(output) if isinstance(output, (list, tuple)) else [output]


def make_dot(output, params: Optional[Dict[str, Any]] = None, show_attrs: bool = False,
             show_saved: bool = False, max_attr_chars: int = 50) -> Digraph:
    r"""The backward graph of ``output`` (a tensor or a tuple of them) as Graphviz source.

    Boxes are the graph's nodes, named as torch names them; blue boxes are leaves (labelled
    with their name from ``params``, a dict name -> tensor such as
    ``dict(model.named_parameters())``, and their shape); the green box is the output;
    with ``show_saved``, orange boxes are the tensors each node saved for backward, and with
    ``show_attrs`` a node lists its other saved values.

    >>> import ember
    >>> w = ember.ones(2, requires_grad=True)
    >>> dot = make_dot((w * 3).sum(), params={"w": w})
    >>> "w\\n (2)" in dot.source, "MulBackward0" in dot.source
    (True, True)
    """
    names = {id(v): k for k, v in (params or {}).items()}
    dot = Digraph(node_attr=dict(style="filled", shape="box", align="left", fontsize="10",
                                 ranksep="0.1", height="0.2", fontname="monospace"),
                  graph_attr=dict(size="12,12"), format="png")
    seen = set()

    def var_label(v, name: Optional[str] = None) -> str:
        name = names.get(id(v), name or "")
        return f"{name}\n {_size(v)}" if name else _size(v)

    def fn_label(fn) -> str:
        # NOTE: name() as torch gives it, so a leaf's node reads "torch::autograd::AccumulateGrad"
        label = fn.name()
        if not show_attrs:
            return label
        rows = []
        for k, v in _saved_values(fn):
            if _is_tensor(v) or (isinstance(v, tuple) and v and all(_is_tensor(x) for x in v)):
                continue
            rows.append(f"{k}: {_fmt_attr(v, max_attr_chars)}")
        if rows:
            width = max(len(label), max(len(r) for r in rows))
            label = label + "\n" + "-" * width + "\n" + "\n".join(rows)
        return label

    def add_saved(fn) -> None:
        for k, v in _saved_values(fn):
            vals = [(k, v)] if _is_tensor(v) else (
                [(f"{k}[{i}]", x) for i, x in enumerate(v)] if isinstance(v, tuple) else [])
            for lab, t in vals:
                if not _is_tensor(t):
                    continue
                tid = f"{id(fn)}:{lab}"
                dot.node(tid, f"{lab}\n {_size(t)}", fillcolor="orange")
                dot.edge(tid, str(id(fn)), dir="none")

    stack = []
    for out in _roots(output):
        fn = out.grad_fn
        dot.node(str(id(out)), var_label(out), fillcolor="darkolivegreen1")
        if fn is not None:
            dot.edge(str(id(fn)), str(id(out)))
            stack.append(fn)
        elif out.requires_grad:
            seen.add(id(out))
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        var = getattr(fn, "variable", None)
        if var is not None:
            dot.node(str(id(var)), var_label(var), fillcolor="lightblue")
            dot.edge(str(id(var)), str(id(fn)))
        dot.node(str(id(fn)), fn_label(fn))
        if show_saved:
            add_saved(fn)
        for nxt, _ in fn.next_functions:
            if nxt is not None:
                dot.edge(str(id(nxt)), str(id(fn)))
                if id(nxt) not in seen:
                    stack.append(nxt)
    return dot


def text(output, params: Optional[Dict[str, Any]] = None, show_saved: bool = False) -> str:
    """The backward graph of ``output`` as an indented tree, for terminals.

    A node reached a second time (the graph is a DAG) is printed once more with
    ``(shown above)`` and not expanded again.

    >>> import ember
    >>> a = ember.ones(3, requires_grad=True)
    >>> print(text((a * 2).sum(), params={"a": a}))
    SumBackward0
    └── MulBackward0
        └── torch::autograd::AccumulateGrad  a (3)
    """
    names = {id(v): k for k, v in (params or {}).items()}
    lines: List[str] = []
    seen = set()

    def label(fn) -> str:
        s = fn.name()
        var = getattr(fn, "variable", None)
        if var is not None:
            s += f"  {names.get(id(var), 'leaf')} {_size(var)}"
        if show_saved:
            parts = []
            for k, v in _saved_values(fn):
                parts.append(f"{k}={_size(v)}" if _is_tensor(v) else f"{k}={_fmt_attr(v, 30)}")
            if parts:
                s += "  [" + ", ".join(parts) + "]"
        return s

    # an explicit stack of (node, prefix for its children, connector), children in order
    roots = [o.grad_fn for o in _roots(output) if o.grad_fn is not None]
    if not roots:
        return "(no graph: the output does not require grad)" if not any(
            o.requires_grad for o in _roots(output)) else "(a leaf: no backward graph)"
    stack = [(r, "", "") for r in reversed(roots)]
    while stack:
        fn, prefix, conn = stack.pop()
        if id(fn) in seen:
            lines.append(f"{prefix}{conn}{label(fn)}  (shown above)")
            continue
        seen.add(id(fn))
        lines.append(f"{prefix}{conn}{label(fn)}")
        child_prefix = prefix + ("" if not conn else ("    " if conn.startswith("└") else "│   "))
        kids = [f for f, _ in fn.next_functions if f is not None]
        for i in range(len(kids) - 1, -1, -1):
            stack.append((kids[i], child_prefix, "└── " if i == len(kids) - 1 else "├── "))
    return "\n".join(lines)
