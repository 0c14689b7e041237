"""``torch.backends``: flags scripts set (``cudnn.benchmark``, ``cuda.matmul.allow_tf32``) are
accepted; availability queries answer for a CPU-only machine."""
from types import SimpleNamespace

cudnn = SimpleNamespace(benchmark=False, deterministic=False, enabled=True, allow_tf32=True,
                        is_available=lambda: False, version=lambda: None)
cuda = SimpleNamespace(matmul=SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                                               allow_bf16_reduced_precision_reduction=True),
                       is_built=lambda: False, flash_sdp_enabled=lambda: False,
                       enable_flash_sdp=lambda b: None, enable_mem_efficient_sdp=lambda b: None,
                       enable_math_sdp=lambda b: None)
mps = SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
mkldnn = SimpleNamespace(is_available=lambda: False, enabled=False)
openmp = SimpleNamespace(is_available=lambda: False)
mkl = SimpleNamespace(is_available=lambda: False)
opt_einsum = SimpleNamespace(is_available=lambda: False, enabled=False, strategy=None)
