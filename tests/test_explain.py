"""ember.autograd.explain: each surprise of the learners' notes is built, and explain must
name its cause and (for cuts made under ``explaining()``) the source line.

Whether an input is reached is checked against torch: the same program run with torch
leaves ``.grad`` None exactly for the inputs explain calls not reached.
"""
import os
import sys

import numpy as np
import pytest
import torch

import ember
from ember.autograd import explain, explaining

E = sys.modules["ember.autograd.explain"]   # the module (ember.autograd.explain is the function)


def here() -> int:
    """The caller's line number."""
    return sys._getframe(1).f_lineno


def _t(lib, vals, rg=False):
    return lib.tensor(np.array(vals, dtype=np.float32), requires_grad=rg)


# ------------------------------------------------------------------------------------------
# reached or not: agrees with what torch's backward does
def prog_detach(lib, mark):
    x, w = _t(lib, [1.0, 2.0], True), _t(lib, [3.0, 4.0], True)
    h = x.detach(); mark["x"] = here()  # noqa: E702
    return (h * w).sum(), {"x": x, "w": w}


def prog_data(lib, mark):
    x, w = _t(lib, [1.0, 2.0], True), _t(lib, [3.0, 4.0], True)
    h = x.data * 2; mark["x"] = here()  # noqa: E702
    return (h * w).sum(), {"x": x, "w": w}


def prog_no_grad(lib, mark):
    x, w = _t(lib, [1.0, 2.0], True), _t(lib, [3.0, 4.0], True)
    with lib.no_grad():
        mark["block"] = here() - 1
        h = x * 3; mark["x"] = here()  # noqa: E702
    return (h + w).sum(), {"x": x, "w": w}


def prog_argmax(lib, mark):
    x, w = _t(lib, [1.0, 5.0, 2.0], True), _t(lib, [3.0, 4.0, 1.0], True)
    i = x.argmax(); mark["x"] = here()  # noqa: E702
    return (w[i] * w).sum(), {"x": x, "w": w}


def prog_compare(lib, mark):
    x, w = _t(lib, [1.0, -2.0], True), _t(lib, [3.0, 4.0], True)
    m = (x > 0).float(); mark["x"] = here()  # noqa: E702
    return (m * w).sum(), {"x": x, "w": w}


def prog_int_cast(lib, mark):
    x, w = _t(lib, [1.5, 2.5], True), _t(lib, [3.0, 4.0], True)
    k = x.long(); mark["x"] = here()  # noqa: E702
    return (k * w).sum(), {"x": x, "w": w}


def prog_requires_grad_false(lib, mark):
    x = lib.tensor(np.array([1.0, 2.0], dtype=np.float32)); mark["x"] = here()  # noqa: E702
    w = _t(lib, [3.0, 4.0], True)
    return (x * w).sum(), {"x": x, "w": w}


def prog_unused(lib, mark):
    x, w = _t(lib, [1.0, 2.0], True), _t(lib, [3.0, 4.0], True)
    return (w * w).sum(), {"x": x, "w": w}


PROGRAMS = {
    prog_detach: "detach", prog_data: "data", prog_no_grad: "no_grad",
    prog_argmax: "non_differentiable", prog_compare: "non_differentiable",
    prog_int_cast: "non_differentiable", prog_requires_grad_false: "requires_grad_false",
    prog_unused: "not_used",
}


@pytest.mark.parametrize("prog", list(PROGRAMS), ids=lambda p: p.__name__)
def test_cut_is_named_with_its_line(prog):
    mark = {}
    with explaining():
        loss, inputs = prog(ember, mark)
    report = explain(loss, inputs)
    x, w = report["x"], report["w"]
    assert (w.reached, w.reason) == (True, "ok")
    assert x.reached is False
    assert x.reason == PROGRAMS[prog]
    if "x" in mark:
        assert x.where == f"{__file__}:{mark['x']}"
        assert x.line == mark["x"] and x.file == __file__
        assert f"{os.path.basename(__file__)}:{mark['x']}" in x.message
    else:
        assert x.where is None
    if "block" in mark:
        assert f"test_explain.py:{mark['block']}" in x.message

    # torch agrees on who gets a gradient
    loss_t, inputs_t = prog(torch, {})
    loss_t.backward()
    for entry in report:
        t = inputs_t[entry.name]
        assert entry.reached == (t.grad is not None)


def test_messages_name_the_cause():
    mark = {}
    with explaining():
        loss, inputs = prog_detach(ember, mark)
    msg = explain(loss, inputs)["x"].message
    assert "detach()" in msg and "loss" in msg
    with explaining():
        loss, inputs = prog_compare(ember, mark)
    assert "comparison (>)" in explain(loss, inputs)["x"].message
    with explaining():
        loss, inputs = prog_int_cast(ember, mark)
    assert "integer cast" in explain(loss, inputs)["x"].message
    with explaining():
        loss, inputs = prog_argmax(ember, mark)
    assert "argmax()" in explain(loss, inputs)["x"].message


def test_without_explaining_mode_the_cut_is_unknown():
    loss, inputs = prog_detach(ember, {})
    e = explain(loss, inputs)["x"]
    assert (e.reached, e.reason, e.where) == (False, "not_reached", None)
    assert "explaining()" in e.message


def test_input_itself_made_by_a_cut():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with explaining():
        h = x.detach(); line = here()  # noqa: E702
        loss = (h * x).sum()
    e = explain(loss, h)[0]
    assert e.name == "h" and (e.reached, e.reason, e.line) == (False, "detach", line)


def test_output_does_not_require_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with explaining():
        with ember.no_grad():
            loss = (x * 2).sum(); line = here()  # noqa: E702
    r = explain(loss, x)
    assert "does not require grad" in r.header and f"test_explain.py:{line}" in r.header
    assert (r[0].reached, r[0].reason, r[0].line) == (False, "no_grad", line)
    loss2 = (x * 2).sum().detach()
    assert explain(loss2, x)[0].reason == "output_no_grad"


def test_non_leaf_and_retain_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with explaining():
        y = x * 2; line = here()  # noqa: E702
        loss = (y * y).sum()
    e = explain(loss, [x, y])
    assert (e["x"].reason, e["y"].reason, e["y"].reached) == ("ok", "non_leaf", True)
    assert e["y"].line == line and "retain_grad()" in e["y"].message
    y.retain_grad()
    assert explain(loss, [y])["y"].reason == "ok"
    # torch: a non-leaf's .grad stays None unless retained
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    yt = xt * 2
    (yt * yt).sum().backward()
    with pytest.warns(UserWarning):
        assert yt.grad is None


def test_accumulation_names_the_earlier_backward():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    with explaining():
        (w * w).sum().backward(); line = here()  # noqa: E702
        loss = (w * 3).sum()
    e = explain(loss, {"w": w})["w"]
    assert (e.reached, e.reason, e.line) == (True, "accumulates", line)
    assert "zero_grad()" in e.message
    w.grad.zero_()
    assert explain(loss, {"w": w})["w"].reason == "ok"
    w.grad = None
    assert explain(loss, {"w": w})["w"].reason == "ok"


def test_optimizer_moves_parameter_with_zero_grad():
    a = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    b = ember.nn.Parameter(ember.tensor([3.0, 4.0]))
    opt = ember.optim.SGD([a, b], lr=0.1, weight_decay=0.1)
    (a * b).sum().backward()
    opt.zero_grad(set_to_none=False)          # b.grad is now zeros, not None
    loss = (a * 2).sum()                      # b is not used this time
    r = explain(loss, {"a": a, "b": b}, optimizer=opt)
    assert (r["a"].reason, r["b"].reason, r["b"].reached) == ("ok", "optimizer_moves", False)
    assert "weight_decay=0.1" in r["b"].message and "set_to_none=True" in r["b"].message
    # and it is true: step() moves b although its gradient is zero (torch does the same)
    before = b.detach().clone()
    loss.backward()
    opt.step()
    assert not np.array_equal(b.detach().numpy(), before.numpy())
    bt = torch.nn.Parameter(torch.tensor([3.0, 4.0]))
    bt.grad = torch.zeros(2)
    torch.optim.SGD([bt], lr=0.1, weight_decay=0.1).step()
    np.testing.assert_allclose(b.detach().numpy(), bt.detach().numpy(), rtol=1e-6)
    # with set_to_none (the default), no surprise: SGD skips parameters whose grad is None
    b.grad = None
    assert explain(loss, {"b": b}, optimizer=opt)["b"].reason == "not_reached"


def test_optimizer_momentum_buffer():
    p = ember.nn.Parameter(ember.tensor([1.0, -1.0]))
    q = ember.nn.Parameter(ember.tensor([2.0, 2.0]))
    opt = ember.optim.SGD([p, q], lr=0.1, momentum=0.9)
    (p * q).sum().backward()
    opt.step()
    opt.zero_grad(set_to_none=False)
    with explaining():
        loss = (p * q.detach()).sum(); line = here()  # noqa: E702
    e = explain(loss, {"p": p, "q": q}, optimizer=opt)["q"]
    assert (e.reason, e.line) == ("optimizer_moves", line)
    assert "momentum" in e.message and "detach" in e.message


def test_module_inputs_and_frozen_layer():
    net = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.Linear(3, 1))
    net[0].weight.requires_grad_(False)
    x = ember.ones(4, 2)
    loss = net(x).sum()
    r = explain(loss, net)
    assert [e.name for e in r] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert [e.reason for e in r] == ["requires_grad_false", "ok", "ok", "ok"]
    assert not r.ok
    text = str(r)
    assert text.startswith("Gradient report for loss (grad_fn=<SumBackward0>)")
    assert "[requires_grad_false] 0.weight: NOT reached." in text


def test_module_call_under_no_grad():
    net = ember.nn.Linear(2, 2)
    x = ember.ones(1, 2)
    w2 = ember.ones(2, requires_grad=True)
    with explaining():
        with ember.no_grad():
            feats = net(x); line = here()  # noqa: E702
        loss = (feats * w2).sum()
    r = explain(loss, {"weight": net.weight, "w2": w2})
    assert (r["weight"].reason, r["weight"].line) == ("no_grad", line)
    assert r["w2"].reason == "ok"


def test_default_inputs_are_the_graph_leaves():
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2, requires_grad=True)
    loss = (a * b).sum()
    r = explain(loss)
    assert sorted(e.name for e in r) == ["a", "b"] and r.ok


def test_mode_is_free_when_off():
    prev = sys.getprofile()
    with explaining():
        assert sys.getprofile() is E._profile
        with explaining():       # nested: still on
            assert E.is_explaining()
        assert E.is_explaining()
    assert sys.getprofile() is prev and not E.is_explaining()
    n = len(E._table)
    x = ember.ones(3, requires_grad=True)
    y = (x.detach() * 2).sum()           # nothing is recorded outside the mode
    assert len(E._table) == n
    del y


def test_records_are_dropped_with_their_tensors():
    import gc
    x = ember.ones(3, requires_grad=True)
    with explaining():
        y = (x.detach() * 2).sum()
    key = id(y)
    assert key in E._table
    del y
    gc.collect()
    assert key not in E._table or E._table[key].ref() is not None


def test_decorator_form_and_user_errors_pass_through():
    @explaining()
    def f(x):
        return x.detach() * x

    x = ember.ones(2, requires_grad=True)
    y = f(x).sum()
    assert explain(y, x)[0].reason == "ok"
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        with explaining():
            (x * 2).backward()
    assert not E.is_explaining()


def test_explain_after_this_outputs_own_backward_is_ok():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    with explaining():
        loss = (w * w).sum()
        loss.backward(retain_graph=True); line = here()  # noqa: E702
    e = explain(loss, {"w": w})["w"]
    assert (e.reached, e.reason) == (True, "ok")
    assert f"test_explain.py:{line}" in e.message
    # a different output now would add to those values
    with explaining():
        other = (w * 3).sum()
    assert explain(other, {"w": w})["w"].reason == "accumulates"


def test_requires_grad_false_names_where_it_was_set_or_made():
    lin = ember.nn.Linear(2, 2)
    with explaining():
        x = ember.ones(3, 2); made = here()  # noqa: E702
        lin.bias.requires_grad = False; flag = here()  # noqa: E702
        lin.weight.requires_grad_(False); flag2 = here()  # noqa: E702
        w = ember.ones(2, requires_grad=True)
        loss = (lin(x) * w).sum()
    r = explain(loss, {"x": x, "bias": lin.bias, "weight": lin.weight, "w": w})
    assert (r["x"].reason, r["x"].line) == ("requires_grad_false", made)
    assert "created by ones()" in r["x"].message
    assert (r["bias"].reason, r["bias"].line) == ("requires_grad_false", flag)
    assert (r["weight"].reason, r["weight"].line) == ("requires_grad_false", flag2)
    assert "set to False" in r["weight"].message
    # without the mode: a frozen parameter is still recognised as one
    net = ember.nn.Linear(2, 1)
    net.requires_grad_(False)
    out = (net(ember.ones(1, 2)) * w[:1]).sum()
    assert "frozen parameter" in explain(out, net)["weight"].message
