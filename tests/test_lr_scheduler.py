"""ember.optim.lr_scheduler (and swa_utils.SWALR) against torch: learning-rate (and momentum)
sequences must be exactly equal, step by step, through state-dict round trips and warnings."""
import copy
import warnings

import pytest
import torch

import ember

STEPS = 100


def make_opt(lib, name="SGD", lrs=(0.1, 0.05), **kw):
    groups = [{"params": [lib.ones(2, requires_grad=True)], "lr": lr} for lr in lrs]
    if name == "SGD":
        kw.setdefault("momentum", 0.9)
    return getattr(lib.optim, name)(groups, lr=lrs[0], **kw)


def build(lib, spec, opt):
    ls = lib.optim.lr_scheduler
    kind, kw = spec
    if kind == "SWALR":
        return lib.optim.swa_utils.SWALR(opt, **kw)
    if kind == "Sequential":
        return ls.SequentialLR(opt, [ls.LinearLR(opt, start_factor=0.1, total_iters=7),
                                     ls.CosineAnnealingLR(opt, T_max=30, eta_min=1e-4),
                                     ls.ExponentialLR(opt, gamma=0.97)], milestones=[7, 40])
    if kind == "Chained":
        return ls.ChainedScheduler([ls.ConstantLR(opt, factor=0.5, total_iters=9),
                                    ls.ExponentialLR(opt, gamma=0.95), ls.MultiStepLR(opt, [30, 60], 0.3)])
    if kind == "LambdaLR":
        return ls.LambdaLR(opt, [lambda e: 0.97 ** e, lambda e: 1.0 / (1 + e)])
    if kind == "MultiplicativeLR":
        return ls.MultiplicativeLR(opt, lambda e: 0.98 if e % 3 else 0.9)
    return getattr(ls, kind)(opt, **kw)


SPECS = [
    ("LambdaLR", {}),
    ("MultiplicativeLR", {}),
    ("StepLR", dict(step_size=7, gamma=0.3)),
    ("MultiStepLR", dict(milestones=[10, 25, 25, 60], gamma=0.5)),
    ("ConstantLR", dict(factor=0.25, total_iters=13)),
    ("LinearLR", dict(start_factor=0.2, end_factor=0.9, total_iters=33)),
    ("ExponentialLR", dict(gamma=0.93)),
    ("PolynomialLR", dict(total_iters=60, power=2.0)),
    ("CosineAnnealingLR", dict(T_max=17, eta_min=0.001)),
    ("CosineAnnealingWarmRestarts", dict(T_0=9, T_mult=2, eta_min=1e-3)),
    ("CosineAnnealingWarmRestarts", dict(T_0=11)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=8)),
    ("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=0.2, step_size_up=5, step_size_down=9, mode="triangular2")),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=6, mode="exp_range", gamma=0.98)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=STEPS + 1)),
    ("OneCycleLR", dict(max_lr=[0.4, 0.3], epochs=11, steps_per_epoch=10, anneal_strategy="linear",
                        three_phase=True, pct_start=0.25)),
    ("Sequential", {}),
    ("Chained", {}),
    ("SWALR", dict(swa_lr=0.02, anneal_epochs=15)),
    ("SWALR", dict(swa_lr=[0.02, 0.01], anneal_epochs=5, anneal_strategy="linear")),
    ("SWALR", dict(swa_lr=0.03, anneal_epochs=0)),
]


def sequence(lib, spec, opt_name="SGD"):
    opt = make_opt(lib, opt_name)
    sched = build(lib, spec, opt)
    seq = [(sched.get_last_lr(), [g["lr"] for g in opt.param_groups],
            [g.get("momentum", g.get("betas")) for g in opt.param_groups])]
    for _ in range(STEPS):
        opt.step()
        sched.step()
        seq.append((list(sched.get_last_lr()), [g["lr"] for g in opt.param_groups],
                    [g.get("momentum", g.get("betas")) for g in opt.param_groups]))
    return seq, sched, opt


@pytest.mark.parametrize("spec", SPECS, ids=[f"{s[0]}-{i}" for i, s in enumerate(SPECS)])
def test_lr_sequence_equals_torch(spec):
    e, _, _ = sequence(ember, spec)
    t, _, _ = sequence(torch, spec)
    assert e == t  # exact: the same float arithmetic


@pytest.mark.parametrize("kind", ["CyclicLR", "OneCycleLR"])
def test_momentum_cycling_with_betas(kind):
    spec = dict(CyclicLR=SPECS[11], OneCycleLR=SPECS[14])[kind]
    e, _, _ = sequence(ember, spec, "Adam")
    t, _, _ = sequence(torch, spec, "Adam")
    assert e == t


def test_reduce_lr_on_plateau():
    metrics = [1.0 - 0.01 * i if i < 20 else 0.8 + 0.001 * (i % 5) for i in range(STEPS)]
    for kw in [dict(), dict(mode="max", factor=0.5, patience=2, threshold_mode="abs", cooldown=3),
               dict(patience=3, min_lr=[0.01, 0.004], eps=1e-4), dict(threshold=0.1, cooldown=1)]:
        seqs = {}
        for lib in (ember, torch):
            opt = make_opt(lib)
            s = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
            seq = []
            for m in metrics:
                opt.step()
                s.step(m)
                seq.append((s.get_last_lr(), s.num_bad_epochs, s.cooldown_counter, s.best, s.last_epoch))
            seqs[lib.__name__] = seq
        assert seqs["ember"] == seqs["torch"]


@pytest.mark.parametrize("kind,kw", [("StepLR", dict(step_size=4, gamma=0.5)),
                                     ("MultiStepLR", dict(milestones=[3, 7, 7], gamma=0.5)),
                                     ("ConstantLR", dict(factor=0.5, total_iters=4)),
                                     ("LinearLR", dict(start_factor=0.5, total_iters=6)),
                                     ("ExponentialLR", dict(gamma=0.9)),
                                     ("PolynomialLR", dict(total_iters=8, power=1.5)),
                                     ("CosineAnnealingLR", dict(T_max=5)),
                                     ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2))])
def test_closed_form_with_epoch_argument(kind, kw):
    seqs = {}
    for lib in (ember, torch):
        opt = make_opt(lib)
        s = getattr(lib.optim.lr_scheduler, kind)(opt, **kw)
        seq = []
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            for epoch in [1, 2, 5, 3, 9, 12, 4]:
                opt.step()
                s.step(epoch)
                seq.append(list(s.get_last_lr()))
        seqs[lib.__name__] = (seq, [(x.category, str(x.message)) for x in w])
    assert seqs["ember"] == seqs["torch"]


@pytest.mark.parametrize("spec", SPECS[:-3] + [SPECS[-3]], ids=lambda s: s[0])
def test_state_dict_round_trip(spec):
    full, _, _ = sequence(ember, spec)
    opt = make_opt(ember)
    sched = build(ember, spec, opt)
    for _ in range(40):
        opt.step()
        sched.step()
    sd_sched, sd_opt = copy.deepcopy(sched.state_dict()), copy.deepcopy(opt.state_dict())
    opt2 = make_opt(ember)
    sched2 = build(ember, spec, opt2)
    sched2.load_state_dict(sd_sched)
    opt2.load_state_dict(sd_opt)
    for k in range(41, STEPS + 1):
        opt2.step()
        sched2.step()
        assert list(sched2.get_last_lr()) == full[k][0]


def test_state_dict_keys_match_torch():
    for spec in SPECS:
        sds = {}
        for lib in (ember, torch):
            opt = make_opt(lib)
            sds[lib.__name__] = build(lib, spec, opt).state_dict()
        assert sorted(sds["ember"]) == sorted(sds["torch"]), spec[0]


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(x.category, str(x.message)) for x in w]


def test_step_order_warning():
    def wrong_order(lib):
        opt = make_opt(lib)
        s = lib.optim.lr_scheduler.StepLR(opt, 3)
        s.step()
        opt.step()
        s.step()

    def right_order(lib):
        opt = make_opt(lib)
        s = lib.optim.lr_scheduler.StepLR(opt, 3)
        opt.step()
        s.step()

    def get_lr_outside(lib):
        opt = make_opt(lib)
        lib.optim.lr_scheduler.ExponentialLR(opt, 0.5).get_lr()

    for fn in (wrong_order, right_order, get_lr_outside):
        e, t = _warnings_of(lambda: fn(ember)), _warnings_of(lambda: fn(torch))
        assert e == t, fn.__name__
    assert len(_warnings_of(lambda: wrong_order(torch))) == 1
    assert _warnings_of(lambda: right_order(torch)) == []


def test_errors():
    from oracle import same_error
    ls = "optim.lr_scheduler"
    same_error(lambda T: T.optim.lr_scheduler.StepLR(object(), 3))
    same_error(lambda T: T.optim.lr_scheduler.StepLR(make_opt(T), 3, last_epoch=4))
    same_error(lambda T: T.optim.lr_scheduler.LambdaLR(make_opt(T), [lambda e: 1.0]))
    same_error(lambda T: T.optim.lr_scheduler.MultiplicativeLR(make_opt(T), 3))
    same_error(lambda T: T.optim.lr_scheduler.ConstantLR(make_opt(T), factor=2.0))
    same_error(lambda T: T.optim.lr_scheduler.LinearLR(make_opt(T), start_factor=0.0))
    same_error(lambda T: T.optim.lr_scheduler.CosineAnnealingWarmRestarts(make_opt(T), T_0=0))
    same_error(lambda T: T.optim.lr_scheduler.CosineAnnealingWarmRestarts(make_opt(T), T_0=2, T_mult=0))
    same_error(lambda T: T.optim.lr_scheduler.CyclicLR(make_opt(T, "Adagrad"), 0.1, 1.0))
    same_error(lambda T: T.optim.lr_scheduler.CyclicLR(make_opt(T), [0.1], 1.0))
    same_error(lambda T: T.optim.lr_scheduler.OneCycleLR(make_opt(T), 1.0))
    same_error(lambda T: T.optim.lr_scheduler.OneCycleLR(make_opt(T), 1.0, total_steps=10, pct_start=1))
    same_error(lambda T: T.optim.lr_scheduler.OneCycleLR(make_opt(T), 1.0, total_steps=10,
                                                         anneal_strategy="x"))
    same_error(lambda T: T.optim.lr_scheduler.ReduceLROnPlateau(make_opt(T), factor=1.0))
    same_error(lambda T: T.optim.lr_scheduler.ReduceLROnPlateau(make_opt(T), mode="avg"))
    same_error(lambda T: T.optim.lr_scheduler.SequentialLR(make_opt(T), [], []))
    same_error(lambda T: T.optim.swa_utils.SWALR(make_opt(T), 0.1, anneal_strategy="x"))
    same_error(lambda T: T.optim.swa_utils.SWALR(make_opt(T), 0.1, anneal_epochs=-1))

    def too_many_steps(T):
        opt = make_opt(T)
        s = T.optim.lr_scheduler.OneCycleLR(opt, 1.0, total_steps=3)
        for _ in range(4):
            opt.step()
            s.step()
    same_error(too_many_steps)

    def seq_milestones(T):
        opt = make_opt(T)
        T.optim.lr_scheduler.SequentialLR(opt, [T.optim.lr_scheduler.StepLR(opt, 2)], milestones=[3])
    same_error(seq_milestones)
    assert ls


def test_lr_scheduler_alias_and_base():
    assert issubclass(ember.optim.lr_scheduler._LRScheduler, ember.optim.lr_scheduler.LRScheduler)
    opt = make_opt(ember)
    s = ember.optim.lr_scheduler.StepLR(opt, 2)
    assert s.last_epoch == 0 and s.base_lrs == [0.1, 0.05]
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
