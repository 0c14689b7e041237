"""ember.optim against torch.optim: every algorithm and option, step after step, state dicts
(also across libraries), errors, hooks, printing, and swa_utils."""
import copy
import importlib
import io
import warnings
import contextlib

import numpy as np
import pytest
import torch

import ember
from oracle import same_error

SHAPES = [(3, 4), (5,), (2, 3)]
STEPS = 30
RNG = np.random.default_rng(1234)
P0 = {dt: [RNG.standard_normal(s).astype(dt) for s in SHAPES] for dt in ("float32", "float64")}
GRADS = {dt: [[RNG.standard_normal(s).astype(dt) for s in SHAPES] for _ in range(STEPS)]
         for dt in ("float32", "float64")}
TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}


def has_grad(k, i):
    """Which gradients a step gets: parameter 1 misses some steps, parameter 2 the first ones."""
    if i == 1 and k % 7 == 3:
        return False
    if i == 2 and k < 4:
        return False
    return True


def make_params(lib, dtype="float32"):
    return [lib.tensor(p.copy(), requires_grad=True) for p in P0[dtype]]


def feed(lib, params, k, dtype="float32"):
    for i, p in enumerate(params):
        p.grad = lib.tensor(GRADS[dtype][k][i].copy()) if has_grad(k, i) else None


def state_arrays(opt, lib):
    """{(param index, key): array-or-value} from the optimizer's state dict."""
    out = {}
    for idx, st in opt.state_dict()["state"].items():
        for key, v in st.items():
            out[(idx, key)] = v
    return out


def compare_state(se, st, tol):
    assert se.keys() == st.keys()
    for k in st:
        e, t = se[k], st[k]
        if isinstance(t, torch.Tensor):
            assert isinstance(e, ember.Tensor), k
            assert str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape), k
            np.testing.assert_allclose(e.numpy(), t.numpy(), err_msg=str(k), **tol)
        else:
            assert e == t, k


CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.2, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.2, eps=1e-6)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.02, etas=(0.4, 1.5), step_sizes=(1e-4, 0.05), maximize=True)),
    ("ASGD", dict(lr=0.01)),
    ("ASGD", dict(lr=0.05, lambd=1e-3, alpha=0.5, t0=10, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=0, maximize=True)),
]


def run(lib, name, kw, dtype="float32", steps=STEPS):
    params = make_params(lib, dtype)
    opt = getattr(lib.optim, name)(params, **kw)
    traj = []
    for k in range(steps):
        feed(lib, params, k, dtype)
        opt.step()
        traj.append(([p.detach().numpy().copy() for p in params], copy.deepcopy(state_arrays(opt, lib)),
                     [p._version for p in params]))
    return traj, opt


@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_trajectory_matches_torch(name, kw):
    te, oe = run(ember, name, kw)
    tt, ot = run(torch, name, kw)
    for k, ((pe, se, ve), (pt, st, vt)) in enumerate(zip(te, tt)):
        for i, (a, b) in enumerate(zip(pe, pt)):
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, err_msg=f"step {k} param {i}", **TOL["float32"])
        compare_state(se, st, TOL["float32"])
        assert ve == vt, f"step {k}: versions {ve} != {vt}"
    assert oe.state_dict()["param_groups"] == ot.state_dict()["param_groups"]


@pytest.mark.parametrize("name,kw", [("Adam", dict(lr=0.01, amsgrad=True)), ("SGD", dict(lr=0.1, momentum=0.9)),
                                     ("RMSprop", dict(centered=True, momentum=0.5)), ("NAdam", {}),
                                     ("ASGD", dict(t0=3)), ("Rprop", {}), ("RAdam", {})])
def test_trajectory_float64(name, kw):
    te, _ = run(ember, name, kw, "float64", steps=12)
    tt, _ = run(torch, name, kw, "float64", steps=12)
    for (pe, se, _), (pt, st, _) in zip(te, tt):
        for a, b in zip(pe, pt):
            np.testing.assert_allclose(a, b, **TOL["float64"])
        compare_state(se, st, TOL["float64"])


@pytest.mark.parametrize("name", ["Adam", "AdamW", "Adagrad", "RMSprop", "SGD", "NAdam", "RAdam", "Adamax",
                                  "Adadelta", "ASGD"])
def test_complex_params(name):
    rng = np.random.default_rng(5)
    p0 = (rng.standard_normal((4,)) + 1j * rng.standard_normal((4,))).astype(np.complex64)
    gs = [(rng.standard_normal((4,)) + 1j * rng.standard_normal((4,))).astype(np.complex64) for _ in range(8)]
    kw = dict(lr=0.05, weight_decay=0.1) if name != "SGD" else dict(lr=0.05, momentum=0.9)
    out = {}
    for lib in (ember, torch):
        p = lib.tensor(p0.copy(), requires_grad=True)
        opt = getattr(lib.optim, name)([p], **kw)
        for g in gs:
            p.grad = lib.tensor(g.copy())
            opt.step()
        out[lib.__name__] = p.detach().numpy().copy()
    np.testing.assert_allclose(out["ember"], out["torch"], rtol=1e-5, atol=1e-6)


ROUNDTRIP = [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)), ("Adam", dict(lr=0.01, amsgrad=True)),
             ("AdamW", dict(lr=0.01)), ("Adamax", dict(lr=0.01)), ("NAdam", dict(lr=0.01)),
             ("RAdam", dict(lr=0.01)), ("Adagrad", dict(lr=0.1, lr_decay=0.01)), ("Adadelta", dict()),
             ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)), ("Rprop", dict(lr=0.01)),
             ("ASGD", dict(lr=0.05, t0=5))]


@pytest.mark.parametrize("name,kw", ROUNDTRIP, ids=[n for n, _ in ROUNDTRIP])
def test_state_dict_round_trip(name, kw):
    half = STEPS // 2
    full, _ = run(ember, name, kw)
    params = make_params(ember)
    opt = getattr(ember.optim, name)(params, **kw)
    for k in range(half):
        feed(ember, params, k)
        opt.step()
    saved_sd = copy.deepcopy(opt.state_dict())
    saved_p = [p.detach().numpy().copy() for p in params]
    # fresh parameters and optimizer, loaded from the snapshot, continue
    params2 = [ember.tensor(a, requires_grad=True) for a in saved_p]
    opt2 = getattr(ember.optim, name)(params2, **kw)
    opt2.load_state_dict(saved_sd)
    for k in range(half, STEPS):
        feed(ember, params2, k)
        opt2.step()
        for a, b in zip([p.detach().numpy() for p in params2], full[k][0]):
            np.testing.assert_array_equal(a, b)


def torch_sd_to_ember(sd):
    def conv(v):
        if isinstance(v, torch.Tensor):
            return ember.tensor(v.detach().numpy().copy())
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v
    return {"state": conv(sd["state"]), "param_groups": copy.deepcopy(sd["param_groups"])}


@pytest.mark.parametrize("name,kw", ROUNDTRIP, ids=[n for n, _ in ROUNDTRIP])
def test_torch_state_dict_loads_into_ember(name, kw):
    half = STEPS // 2
    tparams = make_params(torch)
    topt = getattr(torch.optim, name)(tparams, **kw)
    for k in range(half):
        feed(torch, tparams, k)
        topt.step()
    eparams = [ember.tensor(p.detach().numpy().copy(), requires_grad=True) for p in tparams]
    eopt = getattr(ember.optim, name)(eparams, **kw)
    eopt.load_state_dict(torch_sd_to_ember(topt.state_dict()))
    assert repr(eopt) == repr(topt)
    for k in range(half, STEPS):
        feed(torch, tparams, k)
        feed(ember, eparams, k)
        topt.step()
        eopt.step()
        for a, b in zip(eparams, tparams):
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **TOL["float32"])
    compare_state(state_arrays(eopt, ember), state_arrays(topt, torch), TOL["float32"])


def test_state_dict_layout_matches_torch():
    for lib in (ember, torch):
        a, b = lib.ones(2, requires_grad=True), lib.ones(3, requires_grad=True)
        opt = lib.optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.1}], lr=0.01)
        a.grad = lib.ones(2)
        opt.step()
        sd = opt.state_dict()
        if lib is torch:
            t_sd = sd
        else:
            e_sd = sd
    assert e_sd["param_groups"] == t_sd["param_groups"]
    assert list(e_sd["state"]) == list(t_sd["state"]) == [0]
    assert list(e_sd["state"][0]) == list(t_sd["state"][0])
    step_e, step_t = e_sd["state"][0]["step"], t_sd["state"][0]["step"]
    assert repr(step_e) == repr(step_t) == "tensor(1.)"
    assert str(step_e.dtype) == str(step_t.dtype) == "torch.float32"


def quadratic(T, w, b):
    return ((w * w * T.tensor([1.0, 3.0, 0.5])).sum() + ((b - w * 0.3) ** 2).sum() + (b ** 4).sum()
            + ((w - 0.5) ** 4).sum())


@pytest.mark.parametrize("kw", [dict(), dict(line_search_fn="strong_wolfe"),
                                dict(lr=0.5, history_size=3, max_iter=7),
                                dict(line_search_fn="strong_wolfe", history_size=2, max_iter=5, max_eval=9)])
def test_lbfgs(kw):
    out = {}
    for lib in (ember, torch):
        w = lib.tensor([1.5, -2.0, 0.7], requires_grad=True)
        b = lib.tensor([0.3, 0.1, -0.4], requires_grad=True)
        opt = lib.optim.LBFGS([w, b], **kw)
        losses = []

        def closure():
            opt.zero_grad()
            loss = quadratic(lib, w, b)
            loss.backward()
            return loss

        for _ in range(3):
            losses.append(opt.step(closure).item())
        st = opt.state[w]
        out[lib.__name__] = (w.detach().numpy().copy(), b.detach().numpy().copy(), losses,
                             st["func_evals"], st["n_iter"], len(st["old_dirs"]))
    (we, be, le, fe, ne, de), (wt, bt, lt, ft, nt, dt) = out["ember"], out["torch"]
    np.testing.assert_allclose(we, wt, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(be, bt, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(le, lt, rtol=1e-4, atol=1e-5)
    assert (fe, ne, de) == (ft, nt, dt)


def test_skips_params_without_grad_and_keeps_no_state():
    for lib in (ember, torch):
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        opt = lib.optim.Adam([a, b], lr=0.1)
        a.grad = lib.ones(2)
        opt.step()
        assert b.detach().numpy().tolist() == [1.0, 1.0]
        assert len(opt.state) == 1


# ---------------------------------------------------------------------------- seed notes
def test_bare_tensor_raises_torch_type_error():
    e = same_error(lambda T: T.optim.SGD(T.ones(3, requires_grad=True), lr=0.01))
    assert str(e) == ("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                      "but got torch.FloatTensor")


def _weight_decay_after_zero_grad(lib, set_to_none):
    buf = io.StringIO()
    w = lib.tensor([1.0, -2.0], requires_grad=True)
    opt = lib.optim.SGD([w], lr=0.1, weight_decay=0.5)
    (w * 2).sum().backward()
    opt.step()
    if set_to_none is None:
        opt.zero_grad()
    else:
        opt.zero_grad(set_to_none=set_to_none)
    with contextlib.redirect_stdout(buf):
        print(w.grad)
        opt.step()
        print(w)
    return buf.getvalue()


@pytest.mark.parametrize("set_to_none", [None, True, False])
def test_weight_decay_after_zero_grad(set_to_none):
    e = _weight_decay_after_zero_grad(ember, set_to_none)
    t = _weight_decay_after_zero_grad(torch, set_to_none)
    assert e == t
    moved = "None" not in e.splitlines()[0]
    assert moved == (set_to_none is False)


# ---------------------------------------------------------------------------- errors
def test_constructor_errors():
    same_error(lambda T: T.optim.SGD([], lr=0.1))
    same_error(lambda T: T.optim.SGD([T.ones(2, requires_grad=True) * 2], lr=0.1))
    same_error(lambda T: T.optim.SGD([1.0], lr=0.1))
    same_error(lambda T: T.optim.SGD({T.ones(1, requires_grad=True)}, lr=0.1) if False else
               T.optim.SGD([{"params": {T.ones(1, requires_grad=True)}}], lr=0.1))
    same_error(lambda T: T.optim.SGD([T.ones(1, requires_grad=True)], lr=-1.0))
    same_error(lambda T: T.optim.SGD([T.ones(1, requires_grad=True)], lr=0.1, nesterov=True))
    same_error(lambda T: T.optim.SGD([T.ones(1, requires_grad=True)], lr=0.1, momentum=-1))
    same_error(lambda T: T.optim.Adam([T.ones(1, requires_grad=True)], betas=(1.0, 0.9)))
    same_error(lambda T: T.optim.Adam([T.ones(1, requires_grad=True)], betas=(0.9, 1.5)))
    same_error(lambda T: T.optim.Adam([T.ones(1, requires_grad=True)], eps=-1.0))
    same_error(lambda T: T.optim.Adam([T.ones(1, requires_grad=True)], weight_decay=-1.0))
    same_error(lambda T: T.optim.Adam([T.ones(1, requires_grad=True)], fused=True, foreach=True))
    same_error(lambda T: T.optim.Adagrad([T.ones(1, requires_grad=True)], lr_decay=-1.0))
    same_error(lambda T: T.optim.Adadelta([T.ones(1, requires_grad=True)], rho=1.5))
    same_error(lambda T: T.optim.Rprop([T.ones(1, requires_grad=True)], etas=(1.5, 1.2)))
    same_error(lambda T: T.optim.NAdam([T.ones(1, requires_grad=True)], momentum_decay=-1.0))
    same_error(lambda T: T.optim.RMSprop([T.ones(1, requires_grad=True)], alpha=-1.0))
    same_error(lambda T: T.optim.LBFGS([{"params": [T.ones(1, requires_grad=True)]},
                                        {"params": [T.ones(1, requires_grad=True)]}]))


def test_group_errors_and_duplicate_warning():
    def two_groups(T):
        a = T.ones(1, requires_grad=True)
        T.optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)
    same_error(two_groups)

    def missing_lr(T):
        from_lib = importlib.import_module(T.__name__ + ".optim.optimizer").required
        opt = T.optim.SGD([T.ones(1, requires_grad=True)], lr=0.1)
        opt.defaults["lr"] = from_lib
        opt.add_param_group({"params": [T.ones(1, requires_grad=True)]})
    same_error(missing_lr)
    same_error(lambda T: T.optim.SGD([T.ones(1, requires_grad=True)], lr=0.1).add_param_group([1]))

    msgs = {}
    for lib in (ember, torch):
        a = lib.ones(1, requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.optim.SGD([a, a], lr=0.1)
        msgs[lib.__name__] = [(x.category, str(x.message)) for x in w]
    assert msgs["ember"] == msgs["torch"] and len(msgs["torch"]) == 1


def test_load_state_dict_errors():
    def wrong_groups(T):
        a, b = T.ones(1, requires_grad=True), T.ones(1, requires_grad=True)
        sd = T.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict()
        T.optim.SGD([a], lr=0.1).load_state_dict(sd)
    same_error(wrong_groups)

    def wrong_sizes(T):
        a, b = T.ones(1, requires_grad=True), T.ones(1, requires_grad=True)
        sd = T.optim.SGD([a, b], lr=0.1).state_dict()
        T.optim.SGD([a], lr=0.1).load_state_dict(sd)
    same_error(wrong_sizes)


# ---------------------------------------------------------------------------- API surface
@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", {}), ("AdamW", {}),
                                     ("Adamax", {}), ("NAdam", {}), ("RAdam", {}), ("Adagrad", {}),
                                     ("Adadelta", {}), ("RMSprop", {}), ("Rprop", {}), ("ASGD", {}),
                                     ("LBFGS", {})])
def test_repr_and_defaults(name, kw):
    e = getattr(ember.optim, name)([ember.ones(1, requires_grad=True)], **kw)
    t = getattr(torch.optim, name)([torch.ones(1, requires_grad=True)], **kw)
    assert repr(e) == repr(t)
    assert e.defaults == t.defaults


def test_named_params_and_add_param_group():
    for lib in (ember, torch):
        a, b = lib.ones(1, requires_grad=True), lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([("a", a)], lr=0.1)
        opt.add_param_group({"params": [("b", b)], "lr": 0.5})
        sd = opt.state_dict()
        if lib is torch:
            t = sd
        else:
            e = sd
    assert e["param_groups"] == t["param_groups"]
    same_error(lambda T: T.optim.SGD([("a", T.ones(1, requires_grad=True))], lr=0.1).add_param_group(
        {"params": [T.ones(1, requires_grad=True)]}))


def test_step_hooks_and_state_dict_hooks():
    logs = {}
    for lib in (ember, torch):
        log = []
        w = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        h1 = opt.register_step_pre_hook(lambda o, a, k: log.append(("pre", type(o).__name__)))
        opt.register_step_post_hook(lambda o, a, k: log.append(("post", len(a))))
        g = importlib.import_module(lib.__name__ + ".optim.optimizer").register_optimizer_step_pre_hook(lambda o, a, k: log.append("global"))
        opt.register_state_dict_pre_hook(lambda o: log.append("sd-pre"))
        opt.register_state_dict_post_hook(lambda o, sd: log.append(("sd-post", sorted(sd))))
        opt.register_load_state_dict_pre_hook(lambda o, sd: log.append("load-pre"))
        opt.register_load_state_dict_post_hook(lambda o: log.append("load-post"))
        w.grad = lib.ones(2)
        opt.step()
        h1.remove()
        g.remove()
        opt.step()
        opt.load_state_dict(opt.state_dict())
        logs[lib.__name__] = log
    assert logs["ember"] == logs["torch"]


def test_closure_runs_with_grad_and_returns_loss():
    for lib in (ember, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.Adam([w], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss

        with lib.no_grad():
            loss = opt.step(closure)
        assert loss.item() == 5.0
        assert w.grad is not None


def test_step_bumps_version_and_breaks_saved_graph():
    errs = {}
    for lib in (ember, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        y = (w * w).sum()
        w.grad = lib.ones(2)
        opt.step()
        try:
            y.backward()
        except RuntimeError as e:
            errs[lib.__name__] = str(e)
    assert errs["ember"] == errs["torch"]


def test_tensor_lr():
    out = {}
    for lib in (ember, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.Adam([w], lr=lib.tensor(0.1))
        for _ in range(3):
            w.grad = lib.tensor([0.5, -1.0])
            opt.step()
        out[lib.__name__] = w.detach().numpy().copy()
    np.testing.assert_allclose(out["ember"], out["torch"], rtol=1e-6)


# ---------------------------------------------------------------------------- swa_utils
def _linear_pair(seed):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((2, 3)).astype(np.float32)
    b = rng.standard_normal((2,)).astype(np.float32)
    mods = {}
    for lib in (ember, torch):
        m = lib.nn.Linear(3, 2)
        with lib.no_grad():
            m.weight.copy_(lib.tensor(W))
            m.bias.copy_(lib.tensor(b))
        mods[lib.__name__] = m
    return mods


@pytest.mark.parametrize("mode", ["swa", "ema_multi", "ema_avg", "swa_multi", "swa_avg"])
def test_averaged_model(mode):
    models = [_linear_pair(s) for s in range(4)]
    res = {}
    for lib in (ember, torch):
        su = lib.optim.swa_utils
        kw = {"swa": {}, "ema_multi": dict(multi_avg_fn=su.get_ema_multi_avg_fn(0.9)),
              "ema_avg": dict(avg_fn=su.get_ema_avg_fn(0.8)),
              "swa_multi": dict(multi_avg_fn=su.get_swa_multi_avg_fn()),
              "swa_avg": dict(avg_fn=su.get_swa_avg_fn())}[mode]
        avg = su.AveragedModel(models[0][lib.__name__], **kw)
        for m in models:
            avg.update_parameters(m[lib.__name__])
        res[lib.__name__] = ([p.detach().numpy().copy() for p in avg.parameters()], int(avg.n_averaged),
                             avg(lib.ones(1, 3)).detach().numpy().copy())
    for a, b in zip(res["ember"][0], res["torch"][0]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert res["ember"][1] == res["torch"][1] == 4
    np.testing.assert_allclose(res["ember"][2], res["torch"][2], rtol=1e-6, atol=1e-6)


def test_averaged_model_errors_and_update_bn_without_batchnorm():
    same_error(lambda T: T.optim.swa_utils.AveragedModel(
        T.nn.Linear(1, 1), avg_fn=T.optim.swa_utils.get_swa_avg_fn(),
        multi_avg_fn=T.optim.swa_utils.get_swa_multi_avg_fn()))
    same_error(lambda T: T.optim.swa_utils.get_ema_multi_avg_fn(1.5))
    for lib in (ember, torch):
        net = lib.nn.Linear(2, 2)
        before = net.weight.detach().numpy().copy()
        assert lib.optim.swa_utils.update_bn([lib.ones(3, 2)], net) is None
        np.testing.assert_array_equal(net.weight.detach().numpy(), before)


def test_update_bn_with_batchnorm_matches_torch():
    """update_bn recomputes BatchNorm running statistics as a cumulative average, as torch."""
    def make(lib):
        nn = lib.nn
        m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2), nn.BatchNorm1d(2))
        rng = np.random.default_rng(0)
        with lib.no_grad():
            for p in m.parameters():
                p.copy_(lib.tensor(rng.uniform(-1, 1, tuple(p.shape)).astype(np.float32)))
        return m
    rng = np.random.default_rng(1)
    batches = [rng.standard_normal((5, 3)).astype(np.float32) for _ in range(4)]
    me, mt = make(ember), make(torch)
    me.eval(), mt.eval()
    ember.optim.swa_utils.update_bn([ember.tensor(b) for b in batches], me)
    torch.optim.swa_utils.update_bn([torch.tensor(b) for b in batches], mt)
    assert me.training == mt.training
    for (ke, ve), (kt, vt) in zip(me.state_dict().items(), mt.state_dict().items()):
        assert ke == kt
        np.testing.assert_allclose(ve.numpy(), vt.numpy(), rtol=1e-5, atol=1e-6, err_msg=ke)


def test_optimizer_pickles_after_a_step():
    import pickle
    for lib in (ember, torch):
        w = lib.zeros(2, requires_grad=True)
        opt = lib.optim.Adam([w])
        (w * 2).sum().backward()
        opt.step()
        again = pickle.loads(pickle.dumps(opt))
        assert again.param_groups[0]["amsgrad"] is False
        state = list(again.state.values())[0]
        assert float(state["step"]) == 1.0
