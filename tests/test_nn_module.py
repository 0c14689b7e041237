"""nn.Module, Parameter and containers against torch: registration, iteration order, state
dicts and their errors, reprs, hooks, modes, conversion, and the training behaviours."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from oracle import assert_close, rand, same_error


def build(T):
    class Block(T.nn.Module):
        def __init__(self, cin, cout, stride=1):
            super().__init__()
            self.conv1 = T.nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
            self.bn1 = T.nn.BatchNorm2d(cout)
            self.relu = T.nn.ReLU(inplace=True) if hasattr(T.nn, "ReLU") else T.nn.Identity()
            self.conv2 = T.nn.Conv2d(cout, cout, 3, padding=1, bias=False)
            self.bn2 = T.nn.BatchNorm2d(cout)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = T.nn.Sequential(T.nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                                                  T.nn.BatchNorm2d(cout))

        def forward(self, x):
            idt = x if self.downsample is None else self.downsample(x)
            out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            return (out + idt).relu()

    class ResNet(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = T.nn.Conv2d(3, 8, 7, stride=2, padding=3, bias=False)
            self.bn1 = T.nn.BatchNorm2d(8)
            self.maxpool = T.nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            self.layer1 = T.nn.Sequential(Block(8, 8), Block(8, 8))
            self.layer2 = T.nn.Sequential(Block(8, 16, 2), Block(16, 16))
            self.avgpool = T.nn.AdaptiveAvgPool2d((1, 1))
            self.fc = T.nn.Linear(16, 10)

        def forward(self, x):
            x = self.maxpool(self.bn1(self.conv1(x)).relu())
            x = self.layer2(self.layer1(x))
            return self.fc(T.flatten(self.avgpool(x), 1))
    return ResNet()


def copy_params(em, tm):
    em.load_state_dict({k: ember.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})


def test_resnet_repr_state_dict_and_training_parity():
    em, tm = build(ember), build(torch)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in em.named_modules()] == [n for n, _ in tm.named_modules()]
    assert [n for n, _ in em.named_buffers()] == [n for n, _ in tm.named_buffers()]
    copy_params(em, tm)
    for step in range(2):
        x = rand((2, 3, 16, 16), seed=step)
        eo, to = em(ember.tensor(x)), tm(torch.tensor(x))
        assert_close(eo, to, atol=1e-4)
        eo.sum().backward()
        to.sum().backward()
    for (n, e), (_, t) in zip(em.named_parameters(), tm.named_parameters()):
        assert_close(e.grad, t.grad, atol=1e-3, rtol=1e-3, what=n)
    for (n, e), (_, t) in zip(em.named_buffers(), tm.named_buffers()):
        assert_close(e, t, atol=1e-4, what=n)
    em.eval()
    tm.eval()
    x = rand((1, 3, 16, 16), seed=5)
    assert_close(em(ember.tensor(x)), tm(torch.tensor(x)), atol=1e-4)


def test_module_list_repr_compression():
    for make in [lambda T: T.nn.ModuleList([T.nn.Linear(2, 2) for _ in range(3)] + [T.nn.Identity()]),
                 lambda T: T.nn.Sequential(T.nn.ModuleList([T.nn.Linear(2, 3), T.nn.Linear(2, 3), T.nn.Identity(),
                                                            T.nn.Linear(2, 3)])),
                 lambda T: T.nn.ModuleList(), lambda T: T.nn.ModuleDict({"a": T.nn.Linear(1, 1), "b": T.nn.Flatten()}),
                 lambda T: T.nn.ParameterList([T.nn.Parameter(T.ones(2, 3)), T.zeros(1)]),
                 lambda T: T.nn.ParameterDict({"b": T.nn.Parameter(T.ones(2)), "a": T.ones(3, dtype=T.float64)})]:
        assert repr(make(ember)) == repr(make(torch))


class Net:
    @staticmethod
    def make(T):
        class N(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = T.nn.Linear(2, 3)
                self.register_buffer("steps", T.zeros(1))
                self.register_buffer("tmp", T.ones(2), persistent=False)
                self.b = T.nn.Sequential(T.nn.Linear(3, 3), T.nn.Linear(3, 1))
                self.scale = T.nn.Parameter(T.ones(1))
                self.nothing = None

            def forward(self, x):
                return self.b(self.a(x)) * self.scale
        return N()


def test_registration_and_iteration_order():
    em, tm = Net.make(ember), Net.make(torch)
    for f in [lambda m: [n for n, _ in m.named_parameters()], lambda m: [n for n, _ in m.named_buffers()],
              lambda m: [n for n, _ in m.named_children()], lambda m: [n for n, _ in m.named_modules()],
              lambda m: [n for n, _ in m.named_parameters(prefix="x", recurse=False)],
              lambda m: [n for n, _ in m.named_modules(prefix="root")], lambda m: list(m.state_dict()),
              lambda m: len(list(m.parameters())), lambda m: len(list(m.buffers(recurse=False))),
              lambda m: [k for k in dir(m) if not k.startswith("_")]]:
        assert f(em) == f(tm)
    assert em.get_submodule("b.1") is em.b[1]
    assert em.get_parameter("b.0.weight") is em.b[0].weight
    assert em.get_buffer("steps") is em.steps
    same_error(lambda T: Net.make(T).get_submodule("b.7"))
    same_error(lambda T: Net.make(T).get_submodule("a.weight"))
    same_error(lambda T: Net.make(T).get_parameter("b.0.nope"))
    same_error(lambda T: Net.make(T).get_buffer("a.weight"))
    same_error(lambda T: Net.make(T).nonexistent)


def test_setattr_semantics_and_errors():
    same_error(lambda T: setattr(T.nn.Linear(2, 2), "weight", T.ones(2, 2)))
    same_error(lambda T: setattr(T.nn.Sequential(T.nn.Linear(1, 1)), "0", 3))
    same_error(lambda T: T.nn.Linear(1, 1).register_parameter("a.b", None))
    same_error(lambda T: T.nn.Linear(1, 1).register_parameter("weight2", T.ones(1)))
    same_error(lambda T: T.nn.Linear(1, 1).register_buffer("weight", T.ones(1)))
    same_error(lambda T: T.nn.Linear(1, 1).register_buffer("b", 3))
    same_error(lambda T: T.nn.Linear(1, 1).add_module("x", 3))
    same_error(lambda T: T.nn.Linear(1, 1).register_parameter("w", T.nn.Parameter(T.ones(1)) * 2))
    for T in (ember, torch):
        m = T.nn.Linear(2, 2)
        m.weight = None                           # a parameter slot set to None stays registered
        assert "weight" in m._parameters and m.weight is None
        assert list(m.state_dict()) == ["bias"]
        m.extra = T.nn.Linear(1, 1)
        assert "extra" in m._modules
        m.extra = None
        assert m._modules["extra"] is None
        m.buf = T.nn.Buffer(T.ones(2))
        assert "buf" in m._buffers
        m.buf = T.zeros(2)
        assert "buf" in m._buffers
        del m.buf
        assert "buf" not in m._buffers
        m.plain = T.ones(1)
        assert "plain" not in m._buffers
        with pytest.raises(AttributeError):
            m.missing


def test_state_dict_load_errors_and_results():
    def sd(T, drop=None, extra=None, resize=None):
        m = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.BatchNorm1d(3))
        d = m.state_dict()
        if drop:
            del d[drop]
        if extra:
            d[extra] = T.ones(1)
        if resize:
            d[resize] = T.ones(7)
        return m, d
    same_error(lambda T: (lambda m, d: m.load_state_dict(d))(*sd(T, drop="0.bias")))
    same_error(lambda T: (lambda m, d: m.load_state_dict(d))(*sd(T, extra="1.foo")))
    same_error(lambda T: (lambda m, d: m.load_state_dict(d))(*sd(T, extra="2.weight", drop="1.running_var")))
    same_error(lambda T: (lambda m, d: m.load_state_dict(d))(*sd(T, resize="0.bias")))
    same_error(lambda T: T.nn.Linear(1, 1).load_state_dict([1]))
    for kw in [dict(drop="0.bias"), dict(extra="1.foo"), dict(drop="1.weight", extra="x")]:
        res = []
        for T in (ember, torch):
            m, d = sd(T, **kw)
            res.append(repr(m.load_state_dict(d, strict=False)))
        assert res[0] == res[1]
    for T in (ember, torch):
        m, d = sd(T)
        assert repr(m.load_state_dict(d)) == "<All keys matched successfully>"
    # values are copied in place (the Parameter object stays), and assign=True replaces it
    em, tm = ember.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    w = em.weight
    em.load_state_dict({"weight": ember.ones(2, 2), "bias": ember.zeros(2)})
    assert em.weight is w and float(em.weight.sum()) == 4.0 and w.requires_grad
    em.load_state_dict({"weight": ember.ones(2, 2), "bias": ember.zeros(2)}, assign=True)
    assert em.weight is not w and isinstance(em.weight, ember.nn.Parameter)
    assert em.state_dict()["weight"].requires_grad is False
    assert em.state_dict(keep_vars=True)["weight"] is em.weight
    assert em.state_dict()._metadata == OrderedDict([("", {"version": 1})])


def test_state_dict_hooks():
    for T in (ember, torch):
        m = T.nn.Linear(2, 2)
        seen = []
        m.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: seen.append(("pre", prefix)))
        m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: seen.append(("post", sorted(sd))))
        m.register_load_state_dict_pre_hook(lambda mod, sd, prefix, *a: seen.append(("lpre", sorted(sd))))
        m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(("lpost", keys.missing_keys)))
        m.load_state_dict(m.state_dict())
        if T is ember:
            e_seen = seen
        else:
            assert e_seen == seen


def test_parameter_basics():
    for T in (ember, torch):
        p = T.nn.Parameter(T.tensor([1.0, 2.0]))
        assert p.requires_grad and p.is_leaf and type(p).__name__ == "Parameter"
        assert not T.nn.Parameter(T.ones(1), requires_grad=False).requires_grad
        q = copy.deepcopy(p)
        assert type(q).__name__ == "Parameter" and q.requires_grad and q is not p
        r = pickle.loads(pickle.dumps(p))
        assert type(r).__name__ == "Parameter" and r.tolist() == [1.0, 2.0]
        assert isinstance(p, T.Tensor)
        assert type(p * 2).__name__ == "Tensor"
    assert repr(ember.nn.Parameter(ember.tensor([1.0, 2.0]))) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    assert repr(ember.nn.Parameter(ember.tensor([1.0]), requires_grad=False)) == \
        repr(torch.nn.Parameter(torch.tensor([1.0]), requires_grad=False))
    assert repr(ember.nn.Parameter()) == repr(torch.nn.Parameter())


def test_containers():
    for T in (ember, torch):
        s = T.nn.Sequential(T.nn.Linear(1, 2), T.nn.Identity(), T.nn.Linear(2, 3))
        assert type(s[1:]).__name__ == "Sequential" and len(s[1:]) == 2 and s[-1] is s[2]
        s.append(T.nn.Flatten())
        s.insert(1, T.nn.Identity())
        s.extend([T.nn.Identity()])
        assert [type(m).__name__ for m in s] == ["Linear", "Identity", "Identity", "Linear", "Flatten", "Identity"]
        del s[1]
        assert list(s._modules) == [str(i) for i in range(5)]
        t = s + T.nn.Sequential(T.nn.Identity())
        assert len(t) == 6
        s2 = T.nn.Sequential(OrderedDict([("fc", T.nn.Linear(1, 1)), ("act", T.nn.Identity())]))
        assert list(s2._modules) == ["fc", "act"] and s2.fc is s2[0]
        ml = T.nn.ModuleList([T.nn.Linear(1, 1)])
        ml += [T.nn.Identity()]
        ml.insert(0, T.nn.Flatten())
        assert [type(m).__name__ for m in ml] == ["Flatten", "Linear", "Identity"]
        assert type(ml[:2]).__name__ == "ModuleList"
        md = T.nn.ModuleDict([("x", T.nn.Identity())])
        md["y"] = T.nn.Linear(1, 1)
        assert list(md.keys()) == ["x", "y"] and "y" in md and len(md) == 2
        pl = T.nn.ParameterList([T.ones(1)])
        pl.append(T.nn.Parameter(T.zeros(2)))
        assert all(type(p).__name__ == "Parameter" for p in pl) and len(list(pl.parameters())) == 2
        pd = T.nn.ParameterDict({"a": T.ones(1)})
        assert type(pd["a"]).__name__ == "Parameter"
    same_error(lambda T: T.nn.Sequential(T.nn.Identity())[3])
    same_error(lambda T: T.nn.ModuleList()[0])
    for T in (ember, torch):
        with pytest.raises(ValueError, match="add operator supports only objects of Sequential class"):
            T.nn.Sequential() + T.nn.ModuleList()
    same_error(lambda T: T.nn.ModuleList()(1))
    same_error(lambda T: T.nn.ParameterList()(1))
    same_error(lambda T: T.nn.ModuleList().extend(3))
    same_error(lambda T: T.nn.ModuleDict().update(3))


def test_train_eval_requires_grad_zero_grad_apply():
    for T in (ember, torch):
        m = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.Dropout(), T.nn.BatchNorm1d(2))
        assert m.eval() is m and not any(x.training for x in m.modules())
        m.train()
        assert all(x.training for x in m.modules())
        with pytest.raises(ValueError, match="training mode is expected to be boolean"):
            m.train("yes")
        m.requires_grad_(False)
        assert not any(p.requires_grad for p in m.parameters())
        m.requires_grad_()
        m(T.ones(3, 2)).sum().backward()
        m.zero_grad(set_to_none=False)
        assert all(float(p.grad.abs().sum()) == 0 for p in m.parameters())
        m.zero_grad()
        assert all(p.grad is None for p in m.parameters())
        names = []
        m.apply(lambda mod: names.append(type(mod).__name__))
        assert names == ["Linear", "Dropout", "BatchNorm1d", "Sequential"]


def test_conversion():
    for T in (ember, torch):
        m = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.BatchNorm1d(2))
        w = m[0].weight
        assert m.double() is m and m[0].weight is w and m[0].weight.dtype == T.float64
        assert m[1].running_mean.dtype == T.float64 and m[1].num_batches_tracked.dtype == T.int64
        m.to(T.float32)
        assert m[0].weight.dtype == T.float32
        m.to(T.ones(1, dtype=T.float64))
        assert m[0].bias.dtype == T.float64
        m.float().cpu()
        assert m[0].weight.dtype == T.float32
        assert m.to("cpu") is m
    same_error(lambda T: T.nn.Linear(1, 1).to(T.int64))
    same_error(lambda T: T.nn.Linear(1, 1).cuda())


def test_forward_hooks():
    log = {}
    for T in (ember, torch):
        calls = []
        m = T.nn.Linear(2, 2)
        h1 = m.register_forward_pre_hook(lambda mod, args: calls.append(("pre", len(args))))
        m.register_forward_pre_hook(lambda mod, args, kwargs: (tuple(a * 2 for a in args), kwargs), with_kwargs=True)
        m.register_forward_hook(lambda mod, args, out: out + 1)
        m.register_forward_hook(lambda mod, args, kwargs, out: calls.append(("fwdkw", sorted(kwargs))), with_kwargs=True)
        m.register_forward_hook(lambda mod, args, out: calls.append("first"), prepend=True)
        with T.no_grad():
            m.weight.copy_(T.eye(2))
            m.bias.zero_()
        out = m(T.ones(1, 2))
        h1.remove()
        m(T.ones(1, 2))
        calls.append(out.tolist())
        log[T.__name__] = calls
    assert log["ember"] == log["torch"]


def test_forward_hook_always_call():
    log = {}
    for T in (ember, torch):
        calls = []

        class Bad(T.nn.Module):
            def forward(self, x):
                raise ValueError("boom")
        m = Bad()
        m.register_forward_hook(lambda mod, args, out: calls.append(out), always_call=True)
        m.register_forward_hook(lambda mod, args, out: calls.append("never"))
        with pytest.raises(ValueError):
            m(T.ones(1))
        log[T.__name__] = calls
    assert log["ember"] == log["torch"] == [None]


def test_full_backward_hooks():
    log = {}
    for T in (ember, torch):
        calls = []
        m = T.nn.Linear(3, 2)
        with T.no_grad():
            m.weight.copy_(T.tensor(rand((2, 3))))
            m.bias.zero_()

        def hook(mod, gin, gout):
            calls.append(("hook", [None if g is None else g.tolist() for g in gin], [g.tolist() for g in gout]))
            return None if gin[0] is None else (gin[0] * 2,)

        def pre(mod, gout):
            calls.append(("pre", [g.tolist() for g in gout]))
        m.register_full_backward_hook(hook)
        m.register_full_backward_pre_hook(pre)
        x = T.tensor(rand((4, 3), seed=1), requires_grad=True)
        y = m(x)
        calls.append(type(y.grad_fn).__name__)
        (y * T.tensor(rand((4, 2), seed=2))).sum().backward()
        calls.append(np.round(x.grad.numpy(), 5).tolist())
        # input that needs no grad: hooks still fire, grad_input is (None,)
        m(T.ones(1, 3)).sum().backward()
        log[T.__name__] = calls
    e, t = log["ember"], log["torch"]
    assert len(e) == len(t)
    for a, b in zip(e, t):
        if isinstance(a, tuple):
            assert a[0] == b[0]
            for xa, xb in zip(a[1:], b[1:]):
                for ga, gb in zip(xa, xb):
                    if ga is None or gb is None:
                        assert ga is None and gb is None
                    else:
                        np.testing.assert_allclose(ga, gb, rtol=1e-5, atol=1e-6)
        else:
            assert a == b or np.allclose(a, b, atol=1e-5)


def test_weight_tying_and_training_behaviours():
    for T in (ember, torch):
        emb = T.nn.Embedding(5, 3)
        out = T.nn.Linear(3, 5, bias=False)
        out.weight = emb.weight
        m = T.nn.Sequential(emb, out)
        assert len(list(m.parameters())) == 1
        assert [n for n, _ in m.named_parameters()] == ["0.weight"]
        assert list(m.state_dict()) == ["0.weight", "1.weight"]
        m(T.tensor([1, 2])).sum().backward()
        g_both = emb.weight.grad.clone()
        emb.weight.grad = None
        out(emb(T.tensor([1, 2])).detach()).sum().backward()
        # the tied gradient is the sum of both uses, so it differs from the embedding-only one
        assert not np.allclose(g_both.numpy(), emb.weight.grad.numpy())
    # detach between two layers: the first layer gets no gradient
    for T in (ember, torch):
        a, b = T.nn.Linear(2, 2), T.nn.Linear(2, 1)
        b(a(T.ones(1, 2)).detach()).sum().backward()
        assert a.weight.grad is None and b.weight.grad is not None
        # a frozen middle layer still passes gradient to earlier layers
        c = T.nn.Linear(2, 2)
        mid = T.nn.Linear(2, 2).requires_grad_(False)
        T.nn.Sequential(c, mid, T.nn.Linear(2, 1))(T.ones(1, 2)).sum().backward()
        assert mid.weight.grad is None and c.weight.grad is not None


def test_tied_gradient_values_match():
    res = {}
    for T in (ember, torch):
        T.manual_seed(0)
        emb = T.nn.Embedding(5, 3)
        out = T.nn.Linear(3, 5, bias=False)
        out.weight = emb.weight
        out(emb(T.tensor([1, 2, 1]))).pow(2).sum().backward()
        res[T.__name__] = emb.weight.grad.numpy().copy()
    np.testing.assert_allclose(res["ember"], res["torch"], rtol=1e-5, atol=1e-6)


def test_lazy_linear():
    for T in (ember, torch):
        m = T.nn.LazyLinear(4)
        assert repr(m.weight) == "<UninitializedParameter>"
        y = m(T.ones(2, 7))
        assert type(m).__name__ == "Linear" and tuple(m.weight.shape) == (4, 7) and tuple(y.shape) == (2, 4)
        assert type(m.weight).__name__ == "Parameter"


def test_module_errors_and_misc():
    same_error(lambda T: T.nn.Module()(1))
    same_error(lambda T: T.nn.Module(3))
    for T in (ember, torch):
        m = T.nn.Linear(2, 2)
        c = copy.deepcopy(m)
        assert c.weight is not m.weight
        np.testing.assert_array_equal(c.weight.detach().numpy(), m.weight.detach().numpy())
        p = pickle.loads(pickle.dumps(T.nn.Sequential(T.nn.Linear(2, 2))))
        assert type(p[0].weight).__name__ == "Parameter"
