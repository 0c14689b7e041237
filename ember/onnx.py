"""``torch.onnx``: importable; exporting is not supported."""


def export(*args, **kwargs):
    raise NotImplementedError("torch.onnx.export is not supported in ember (no graph tracer).")


def is_in_onnx_export() -> bool:
    return False
