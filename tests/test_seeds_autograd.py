"""The learners' notes under ../shared/seeds/ that need no nn or optim, with their random inputs
replaced by fixed values: ember prints exactly what torch 2.13 prints."""
import pytest

from seedrun import compare

SNIPPETS = {
    # 000: creating gradients, requires_grad_ and friends
    "000_create": """
        print(torch.arange(4.0, requires_grad=True))
        X = torch.tensor([[0, 1, 0], [0, 0, 1]]).float()
        X.requires_grad = True
        print(X)
        X = torch.tensor([[0, 1, 0], [0, 0, 1]]).float()
        print(X.requires_grad_())
        X = torch.tensor([[0, 0, 1], [1, 0, 0]]).float()
        X.requires_grad = False
        print(X)
        print(X.requires_grad_(False))
    """,
    "000_int_requires_grad": """
        x = torch.tensor([1, 2])
        x.requires_grad = True
    """,
    "000_backward": """
        X = torch.tensor([[1, 1, 0], [0, 0, 1]]).float()
        X.requires_grad_()
        y = X * X
        y.sum().backward()
        print(X.data)
        print(X.grad)
        print(X.grad.zero_())
        print(X.requires_grad_(False))
        print(X.grad is None)
    """,
    "000_detach_clone": """
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = a.clone()
        print(b, b.requires_grad, b is a)
        c = a.detach()
        print(c, c.requires_grad)
        c[0] = 5.0
        print(a)
        d = a.clone().detach()
        e = a.detach().clone()
        print(d, e)
    """,
    # 002: grad_fn names, backward on scalars and with a vector
    "002_grad_fn": """
        x = torch.tensor([-1.2301, 0.5498, -1.7590], requires_grad=True)
        print(x)
        y = x + 2
        print(y)
        z = y * y * 2
        print(z)
        z = z.mean()
        print(z)
        z.backward()
        print(x.grad)
    """,
    "002_nonscalar_error": """
        x = torch.tensor([-1.2301, 0.5498, -1.7590], requires_grad=True)
        y = x + 2
        z = y * y * 2
        z.backward()
    """,
    "002_vector_backward": """
        x = torch.tensor([-1.2301, 0.5498, -1.7590], requires_grad=True)
        y = x + 2
        z = y * y * 2
        v = torch.tensor([0.1, 1.0, 0.01], dtype=torch.float32)
        z.backward(v)
        print(x.grad)
    """,
    "002_stop_tracking": """
        x = torch.tensor([-1.6066, 0.2085, 1.8512], requires_grad=True)
        print(x)
        x.requires_grad_(False)
        print(x)
        x = torch.tensor([-0.4009, -2.1106, -0.5101], requires_grad=True)
        print(x)
        y = x.detach()
        print(y)
        x = torch.tensor([-0.8544, -0.4829, 0.3729], requires_grad=True)
        print(x)
        with torch.no_grad():
            y = x + 2
            print(y)
    """,
    "002_accumulate": """
        weights = torch.ones(4, requires_grad=True)
        for epoch in range(3):
            model_output = (weights * 3).sum()
            model_output.backward()
            print(weights.grad)
        weights = torch.ones(4, requires_grad=True)
        for epoch in range(3):
            model_output = (weights * 3).sum()
            model_output.backward()
            print(weights.grad)
            weights.grad.zero_()
    """,
    # 003: leaves, grad_fn, requires_grad_, accumulation, .data
    "003_leaf": """
        x = torch.ones(2, 2, requires_grad=True)
        print(x)
        print(x.grad_fn)
        y = x + 2
        print(y)
        print(y.grad_fn)
        z = y * y * 3
        out = z.mean()
        print(z, out)
    """,
    "003_requires_grad_": """
        a = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
        a = ((a * 3) / (a - 1))
        print(a.requires_grad)
        a.requires_grad_(True)
        print(a.requires_grad)
        b = (a * a).sum()
        print(b.grad_fn)
    """,
    "003_accumulate": """
        x = torch.ones(2, 2, requires_grad=True)
        y = x + 2
        z = y * y * 3
        out = z.mean()
        out.backward()
        print(x.grad)
        out2 = x.sum()
        out2.backward()
        print(x.grad)
        out3 = x.sum()
        x.grad.data.zero_()
        out3.backward()
        print(x.grad)
    """,
    "003_view_backward": """
        x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        y = 2 * x
        z = y.view(2, 2)
        print(z)
        v = torch.tensor([[1.0, 0.1], [0.01, 0.001]], dtype=torch.float)
        z.backward(v)
        print(x.grad)
    """,
    "003_no_grad_mix": """
        x = torch.tensor(1.0, requires_grad=True)
        y1 = x ** 2
        with torch.no_grad():
            y2 = x ** 3
        y3 = y1 + y2
        print(x.requires_grad)
        print(y1, y1.requires_grad)
        print(y2, y2.requires_grad)
        print(y3, y3.requires_grad)
        y3.backward()
        print(x.grad)
    """,
    "003_y2_backward_error": """
        x = torch.tensor(1.0, requires_grad=True)
        with torch.no_grad():
            y2 = x ** 3
        y2.backward()
    """,
    "003_data": """
        x = torch.ones(1, requires_grad=True)
        print(x.data)
        print(x.data.requires_grad)
        y = 2 * x
        x.data *= 100
        y.backward()
        print(x)
        print(x.grad)
    """,
    # 004: leaves and non-leaves, sigmoid, detach of a scalar
    "004_leaf_grads": """
        x = torch.tensor([1., 2., 3.], requires_grad=True)
        print(x.grad)
        y = x.sigmoid()
        print(y)
        w = torch.tensor([[0.4, -0.3, 0.1]], requires_grad=True)
        z = y * w
        o = z.sum()
        o.backward()
        print(x.grad, x.is_leaf)
        print(y.grad, y.is_leaf)
        print(w.grad, w.is_leaf)
    """,
    "004_is_leaf": """
        x = torch.tensor([1, 2, 3], dtype=torch.float, requires_grad=True)
        print(x.is_leaf)
        y = x ** 2
        print(y.is_leaf, y.requires_grad, y.grad_fn)
        w = torch.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], requires_grad=False)
        z = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=False)
        u = w + z
        print(u.is_leaf, u.requires_grad)
        z = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        u = w + z
        print(u.is_leaf, u.requires_grad)
    """,
    "004_detach_scalar": """
        x = torch.tensor([1., 2., 3.], requires_grad=True)
        print(x.grad)
        y = x.sigmoid()
        print(y)
        z = y.sum()
        print(f'z:{z},{z.requires_grad},{z.grad_fn}')
        z_d = z.detach()
        print(f'z_d:{z_d},{z_d.requires_grad},{z_d.grad_fn}')
        z.backward()
        z_d.zero_()
        print(z_d.data)
        print(z.data)
    """,
    "004_detach_backward_error": """
        x = torch.tensor([1., 2., 3.], requires_grad=True)
        z = x.sigmoid().sum()
        z_d = z.detach()
        z_d.backward()
    """,
    # 001: the in-place error that anomaly mode explains
    "001_inplace_error": """
        a = torch.tensor([0.3], requires_grad=True)
        c = torch.tensor([0.7], requires_grad=True)
        b = a ** 2 * c ** 2
        b += 1
        b *= c + a
        d = b.exp_()
        d *= 5
        b.backward()
    """,
    "001_retain_graph": """
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        loss = (x * x).sum()
        loss.backward(retain_graph=True)
        loss.backward()
        print(x.grad)
        loss.backward()
    """,
    "001_nonleaf_grad_warning": """
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.sum().backward()
        print(y.grad)
        y2 = x * 2
        y2.retain_grad()
        y2.sum().backward()
        print(y2.grad)
    """,
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_seed_snippet(name):
    compare(SNIPPETS[name])


def _anomaly_warnings(lib):
    import warnings
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        with lib.autograd.set_detect_anomaly(True):
            a = lib.tensor([0.3], requires_grad=True)
            c = lib.tensor([0.7], requires_grad=True)
            b = a ** 2 * c ** 2
            b += 1
            b *= c + a
            d = b.exp_()  # the forward line the warning must show
            d *= 5
            with pytest.raises(RuntimeError) as err:
                b.backward()
    return [str(w.message) for w in ws if "Error detected" in str(w.message)], str(err.value)


def test_anomaly_mode_names_forward_line():
    import ember
    import torch
    (e_warn, *_), e_err = _anomaly_warnings(ember)
    (t_warn, *_), t_err = _anomaly_warnings(torch)
    assert e_err == t_err
    assert e_warn.splitlines()[0] == t_warn.splitlines()[0]
    assert "d = b.exp_()  # the forward line the warning must show" in e_warn
