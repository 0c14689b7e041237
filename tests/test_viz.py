"""ember.viz: the same walk over ember's and torch's graphs gives the same picture.

Each case builds a graph from the learners' notes with ember and with torch on the same
inputs; ``make_dot`` and ``text`` must print the same node names, shapes and edges (object
addresses replaced by their order of appearance).
"""
import re
import shutil
import sys

import numpy as np
import pytest
import torch

import ember
from ember.viz import Digraph, ExecutableNotFound, make_dot, text


def _x(lib, vals, rg=True):
    return lib.tensor(np.array(vals, dtype=np.float32), requires_grad=rg)


def case_add_mul_mean(lib):       # notes 002: AddBackward0, MulBackward0, MeanBackward0
    x = _x(lib, [-1.2301, 0.5498, -1.7590])
    y = x + 2
    z = y * y * 2
    return z.mean(), {"x": x}


def case_sigmoid_mul_sum(lib):    # notes 004: leaves x and w, non-leaf y
    x = _x(lib, [1.0, 2.0, 3.0])
    y = x.sigmoid()
    w = _x(lib, [[0.3, -0.2, 0.1]])
    return (y * w).sum(), {"x": x, "w": w}


def case_div_requires_grad_(lib):  # notes 003: a = (a*3)/(a-1); a.requires_grad_(); (a*a).sum()
    a = _x(lib, [[0.5, 2.0], [-1.0, 3.0]], rg=False)
    a = (a * 3) / (a - 1)
    a.requires_grad_(True)
    return (a * a).sum(), {"a": a}


def case_clone_detach(lib):       # notes 000: clone keeps the graph, detach cuts it
    a = _x(lib, [1.0, 2.0])
    b = a.clone()
    c = a.detach() * 3
    return (b * c).sum(), {"a": a}


def case_linear_chain_detach(lib):  # notes 001: lin0 -> lin1 -> detach -> lin2 -> lin3
    torch.manual_seed(0)
    mods = [torch.nn.Linear(2, 2) for _ in range(4)]
    x = _x(lib, [[0.1, -0.4], [0.7, 0.2]])
    params = {}
    layers = []
    for i, m in enumerate(mods):
        w = lib.nn.Parameter(lib.tensor(m.weight.detach().numpy().copy()))
        b = lib.nn.Parameter(lib.tensor(m.bias.detach().numpy().copy()))
        params[f"lin{i}.weight"], params[f"lin{i}.bias"] = w, b
        layers.append((w, b))
    h = x
    for i, (w, b) in enumerate(layers):
        h = lib.nn.functional.linear(h, w, b)
        if i == 1:
            h = h.detach()
    return h.sum(), params


def case_shared_subgraph(lib):    # a DAG: y used twice
    x = _x(lib, [0.5, -0.5])
    y = x.exp()
    return (y * y + y).sum(), {"x": x}


def case_tuple_outputs(lib):
    x = _x(lib, [0.5, -0.5, 2.0])
    return (x.tanh(), (x * 2).sum()), {"x": x}


CASES = [case_add_mul_mean, case_sigmoid_mul_sum, case_div_requires_grad_, case_clone_detach,
         case_linear_chain_detach, case_shared_subgraph, case_tuple_outputs]

_NUM = re.compile(r'"(\d+)(:[^"]*)?"')


def _normalise(src: str) -> str:
    ids = {}

    def sub(m):
        k = ids.setdefault(m.group(1), len(ids))
        return f'"n{k}{m.group(2) or ""}"'
    return _NUM.sub(sub, src)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("show_saved", [False, True])
def test_make_dot_matches_torch(case, show_saved):
    out_e, p_e = case(ember)
    out_t, p_t = case(torch)
    src_e = _normalise(make_dot(out_e, params=p_e, show_saved=show_saved).source)
    src_t = _normalise(make_dot(out_t, params=p_t, show_saved=show_saved).source)
    assert src_e == src_t
    assert "digraph {" in src_e and "lightblue" in src_e


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_text_matches_torch(case):
    out_e, p_e = case(ember)
    out_t, p_t = case(torch)
    assert text(out_e, params=p_e) == text(out_t, params=p_t)


def test_make_dot_labels():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = ember.tensor([0.5, -1.0, 2.0], requires_grad=True)
    loss = (x * w).sigmoid().sum()
    src = make_dot(loss, params={"x": x, "w": w}).source
    labels = re.findall(r'label="([^"]*)"', src)
    assert labels == ["()", "SumBackward0", "SigmoidBackward0", "MulBackward0",
                      "w\\n (3)", "torch::autograd::AccumulateGrad",
                      "x\\n (3)", "torch::autograd::AccumulateGrad"]
    # output green, leaves blue; edges run from inputs towards the output
    assert src.count("darkolivegreen1") == 1 and src.count("lightblue") == 2
    assert src.count("->") == 7


def test_make_dot_module_params_and_attrs():
    torch.manual_seed(0)
    lin_t = torch.nn.Linear(3, 2)
    lin_e = ember.nn.Linear(3, 2)
    lin_e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in lin_t.state_dict().items()})
    xs = np.arange(6, dtype=np.float32).reshape(2, 3)
    srcs = []
    for lib, lin in ((ember, lin_e), (torch, lin_t)):
        out = lin(lib.tensor(xs)).relu().sum()
        srcs.append(make_dot(out, params=dict(lin.named_parameters())).source)
    assert _normalise(srcs[0]) == _normalise(srcs[1])
    assert "weight\\n (2, 3)" in srcs[0] and "bias\\n (2)" in srcs[0]


def test_show_attrs_lists_saved_values():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    src = make_dot(x.pow(3).sum(), show_attrs=True).source
    # PowBackward0 saves the exponent (a number) and self (a tensor, drawn only with show_saved)
    assert re.search(r'PowBackward0\\n-+\\nexponent: 3', src)
    src_t = make_dot(torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).pow(3).sum(),
                     show_attrs=True).source
    assert re.search(r'PowBackward0\\n-+\\nexponent: 3', src_t)


def test_text_tree_shape():
    x = ember.tensor([0.5, -0.5], requires_grad=True)
    y = x.exp()
    t = text((y * y).sum(), params={"x": x})
    assert t.splitlines() == [
        "SumBackward0",
        "└── MulBackward0",
        "    ├── ExpBackward0",
        "    │   └── torch::autograd::AccumulateGrad  x (2)",
        "    └── ExpBackward0  (shown above)",
    ]
    assert text(ember.ones(2)) == "(no graph: the output does not require grad)"


def test_deep_graph_no_recursion():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    assert make_dot(y).source.count("MulBackward0") == 3000
    assert len(text(y).splitlines()) == 3001


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_render_svg_png(tmp_path):
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    dot = make_dot((x * x).sum(), params={"x": x}, show_saved=True)
    svg = dot.pipe("svg")
    assert b"<svg" in svg and b"MulBackward0" in svg
    assert "<svg" in dot._repr_svg_()
    path = dot.render("graph", directory=str(tmp_path), format="png")
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert open(tmp_path / "graph").read() == dot.source


def test_missing_dot_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)   # the Python package: absent
    monkeypatch.setattr(shutil, "which", lambda name: None)
    g = Digraph()
    g.node("a", "A")
    with pytest.raises(ExecutableNotFound, match="failed to execute 'dot'"):
        g.pipe("svg")
    assert g._repr_svg_() is None
