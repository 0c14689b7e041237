"""``torch.nn.parallel``: ``DataParallel`` runs the module as is (one CPU device);
``DistributedDataParallel`` raises, as there is no process group."""
from ..modules.module import Module


class DataParallel(Module):
    """Wraps a module; ``forward`` calls it."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


class DistributedDataParallel(Module):
    def __init__(self, *args, **kwargs):
        raise RuntimeError("Default process group has not been initialized, please make sure to call init_process_group.")
