"""``torch.jit``: ``script``/``trace`` return what they are given (ember runs eagerly)."""


def script(obj=None, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    return obj


def trace(func, example_inputs=None, *args, **kwargs):
    return func


def ignore(drop=False, **kwargs):
    if callable(drop):
        return drop
    return lambda f: f


def unused(fn):
    return fn


def export(fn):
    return fn


def is_scripting() -> bool:
    return False


def is_tracing() -> bool:
    return False


class ScriptModule:
    pass


def save(m, f, *a, **k):
    raise NotImplementedError("torch.jit.save is not supported in ember: use ember.save(model.state_dict(), f)")


def load(f, *a, **k):
    raise NotImplementedError("torch.jit.load is not supported in ember")
