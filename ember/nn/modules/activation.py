"""Activation layers (and ``MultiheadAttention``, which torch keeps in this module too).

Each layer calls its ``ember.nn.functional`` counterpart; ``inplace=True`` layers write into
their input and record the node torch records for the in-place form.

>>> import ember
>>> ember.nn.LeakyReLU(0.2)
LeakyReLU(negative_slope=0.2)
"""
from __future__ import annotations

import warnings
from typing import Optional, Tuple

from ..._creation import empty
from ..._tensor import Tensor
from .. import functional_b as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Threshold", "ReLU", "RReLU", "Hardtanh", "ReLU6", "Sigmoid", "Hardsigmoid", "Tanh", "SiLU", "Mish",
           "Hardswish", "ELU", "CELU", "SELU", "GLU", "GELU", "Hardshrink", "LeakyReLU", "LogSigmoid", "Softplus",
           "Softshrink", "MultiheadAttention", "PReLU", "Softsign", "Tanhshrink", "Softmin", "Softmax", "Softmax2d",
           "LogSoftmax"]


class Hardtanh(Module):
    """Elementwise: clamp to [min_val, max_val].

    >>> ember.nn.Hardtanh(-2.0, 2.0)
    Hardtanh(min_val=-2.0, max_val=2.0)
    """

    __constants__ = ["min_val", "max_val", "inplace"]

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: Optional[float] = None, max_value: Optional[float] = None) -> None:
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and rename to `min_val`",
                          FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and rename to `max_val`",
                          FutureWarning, stacklevel=2)
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        assert self.max_val > self.min_val

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """Elementwise: min(max(x, 0), 6).

    >>> ember.nn.ReLU6(inplace=True)
    ReLU6(inplace=True)
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class PReLU(Module):
    """x if x > 0 else a * x, with a learnt ``a`` (one, or one per channel), initialised to
    ``init``.

    >>> ember.nn.PReLU(3)
    PReLU(num_parameters=3)
    """

    __constants__ = ["num_parameters"]

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None) -> None:
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(empty(num_parameters, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softmax2d(Module):
    """Softmax over the channels of a (N, C, H, W) or (C, H, W) input.

    >>> ember.nn.Softmax2d()(ember.zeros(2, 1, 1)).sum(0)
    tensor([[1.]])
    """

    def forward(self, input: Tensor) -> Tensor:
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return F.softmax(input, -3, _stacklevel=5)


class Threshold(Module):
    """Elementwise: x if x > threshold else value.

    >>> ember.nn.Threshold(0.1, 20.0)(ember.zeros(2)).shape
    torch.Size([2])
    """

    __constants__ = ["threshold", "value", "inplace"]

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class _InplaceActivation(Module):
    """What the activations whose only option is ``inplace`` share."""

    __constants__ = ["inplace"]
    _fn_name = "relu"
    _repr_inplace = True

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return getattr(F, self._fn_name)(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace and self._repr_inplace else ""


class ReLU(_InplaceActivation):
    """Elementwise: max(x, 0).

    >>> ember.nn.ReLU()(ember.zeros(2)).shape
    torch.Size([2])
    """

    _fn_name = "relu"


class RReLU(Module):
    """Elementwise: randomised leaky ReLU (deterministic in eval mode).

    >>> ember.nn.RReLU()(ember.zeros(2)).shape
    torch.Size([2])
    """

    __constants__ = ["lower", "upper", "inplace"]

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """Elementwise: 1 / (1 + exp(-x)).

    >>> ember.nn.Sigmoid()(ember.zeros(2)).shape
    torch.Size([2])
    """

    def __init__(self) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input.sigmoid()


class Hardsigmoid(_InplaceActivation):
    """Elementwise: relu6(x + 3) / 6.

    >>> ember.nn.Hardsigmoid()(ember.zeros(2)).shape
    torch.Size([2])
    """

    _fn_name = "hardsigmoid"
    _repr_inplace = False  # NOTE: torch's repr of this module never shows inplace


class Tanh(Module):
    """Elementwise: tanh(x).

    >>> ember.nn.Tanh()(ember.zeros(2)).shape
    torch.Size([2])
    """

    def __init__(self) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input.tanh()


class SiLU(_InplaceActivation):
    """Elementwise: x * sigmoid(x).

    >>> ember.nn.SiLU()(ember.zeros(2)).shape
    torch.Size([2])
    """

    _fn_name = "silu"


class Mish(_InplaceActivation):
    """Elementwise: x * tanh(softplus(x)).

    >>> ember.nn.Mish()(ember.zeros(2)).shape
    torch.Size([2])
    """

    _fn_name = "mish"


class Hardswish(_InplaceActivation):
    """Elementwise: x * relu6(x + 3) / 6.

    >>> ember.nn.Hardswish()(ember.zeros(2)).shape
    torch.Size([2])
    """

    _fn_name = "hardswish"
    _repr_inplace = False  # NOTE: torch's repr of this module never shows inplace


class ELU(Module):
    """Elementwise: x if x > 0 else alpha * (exp(x) - 1).

    >>> ember.nn.ELU()(ember.zeros(2)).shape
    torch.Size([2])
    """

    __constants__ = ["alpha", "inplace"]

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(Module):
    """Elementwise: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

    >>> ember.nn.CELU()(ember.zeros(2)).shape
    torch.Size([2])
    """

    __constants__ = ["alpha", "inplace"]

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(_InplaceActivation):
    """Elementwise: scale * elu(x, alpha) with the self-normalising constants.

    >>> ember.nn.SELU()(ember.zeros(2)).shape
    torch.Size([2])
    """

    _fn_name = "selu"


class GLU(Module):
    """Elementwise: a * sigmoid(b) over the halves of ``dim``.

    >>> ember.nn.GLU()(ember.zeros(4)).shape
    torch.Size([2])
    """

    __constants__ = ["dim"]

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GELU(Module):
    """Elementwise: x * Phi(x).

    >>> ember.nn.GELU()(ember.zeros(2)).shape
    torch.Size([2])
    """

    __constants__ = ["approximate"]

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={repr(self.approximate)}"


class Hardshrink(Module):
    """Elementwise: x where |x| > lambd, else 0.

    >>> ember.nn.Hardshrink()(ember.zeros(2)).shape
    torch.Size([2])
    """

    __constants__ = ["lambd"]

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class LeakyReLU(Module):
    """Elementwise: x if x > 0 else negative_slope * x.

    >>> ember.nn.LeakyReLU()(ember.zeros(2)).shape
    torch.Size([2])
    """

    __constants__ = ["negative_slope", "inplace"]

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class LogSigmoid(Module):
    """Elementwise: log(sigmoid(x)).

    >>> ember.nn.LogSigmoid()(ember.zeros(2)).shape
    torch.Size([2])
    """

    def __init__(self) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Softplus(Module):
    """Elementwise: log(1 + exp(beta * x)) / beta.

    >>> ember.nn.Softplus()(ember.zeros(2)).shape
    torch.Size([2])
    """

    __constants__ = ["beta", "threshold"]

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softshrink(Module):
    """Elementwise: soft thresholding by lambd.

    >>> ember.nn.Softshrink()(ember.zeros(2)).shape
    torch.Size([2])
    """

    __constants__ = ["lambd"]

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Softsign(Module):
    """Elementwise: x / (1 + |x|).

    >>> ember.nn.Softsign()(ember.zeros(2)).shape
    torch.Size([2])
    """

    def __init__(self) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class Tanhshrink(Module):
    """Elementwise: x - tanh(x).

    >>> ember.nn.Tanhshrink()(ember.zeros(2)).shape
    torch.Size([2])
    """

    def __init__(self) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class _SoftmaxBase(Module):
    """What Softmin, Softmax and LogSoftmax share: a ``dim`` and a functional form."""

    __constants__ = ["dim"]
    _fn_name = "softmax"

    def __init__(self, dim: Optional[int] = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return getattr(F, self._fn_name)(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None


class Softmin(_SoftmaxBase):
    """Elementwise: softmax(-x) along ``dim``.

    >>> ember.nn.Softmin(0)(ember.zeros(2)).shape
    torch.Size([2])
    """

    _fn_name = "softmin"


class Softmax(_SoftmaxBase):
    """Elementwise: exp(x) / sum(exp(x)) along ``dim``.

    >>> ember.nn.Softmax(0)(ember.zeros(2)).shape
    torch.Size([2])
    """

    _fn_name = "softmax"


class LogSoftmax(_SoftmaxBase):
    """Elementwise: log(softmax(x)) along ``dim``.

    >>> ember.nn.LogSoftmax(0)(ember.zeros(2)).shape
    torch.Size([2])
    """

    _fn_name = "log_softmax"


def _linear_cls():
    from .linear import Linear

    class NonDynamicallyQuantizableLinear(Linear):
        """A ``Linear`` (torch names MultiheadAttention's output projection so)."""

    return NonDynamicallyQuantizableLinear


_NDQLinear = None


class MultiheadAttention(Module):
    """Multi-head attention (``embed_dim`` split over ``num_heads``), with torch's parameter
    layout: a packed ``in_proj_weight`` (3E, E) when key/value dims equal ``embed_dim``, else
    ``q_proj_weight``/``k_proj_weight``/``v_proj_weight``; ``out_proj`` a Linear.

    >>> mha = ember.nn.MultiheadAttention(8, 2)
    >>> x = ember.randn(5, 3, 8)
    >>> out, w = mha(x, x, x)
    >>> out.shape, w.shape
    (torch.Size([5, 3, 8]), torch.Size([3, 5, 5]))
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: Optional[int] = None,
                 vdim: Optional[int] = None, batch_first: bool = False, device=None, dtype=None) -> None:
        global _NDQLinear
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        assert self.head_dim * num_heads == self.embed_dim, "embed_dim must be divisible by num_heads"
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), dtype=dtype))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        if _NDQLinear is None:
            _NDQLinear = _linear_cls()
        self.out_proj = _NDQLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), dtype=dtype))
            self.bias_v = Parameter(empty((1, 1, embed_dim), dtype=dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def __setstate__(self, state) -> None:
        if "_qkv_same_embed_dim" not in state:
            state["_qkv_same_embed_dim"] = True
        super().__setstate__(state)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Optional[Tensor] = None,
                need_weights: bool = True, attn_mask: Optional[Tensor] = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> Tuple[Tensor, Optional[Tensor]]:
        is_batched = query.dim() == 3
        key_padding_mask = F._canonical_mask(key_padding_mask, "key_padding_mask", F._none_or_dtype(attn_mask),
                                             "attn_mask", query.dtype)
        attn_mask = F._canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if self.batch_first and is_batched:
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = (x.transpose(1, 0) for x in (query, key))
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        common = dict(training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
                      attn_mask=attn_mask, average_attn_weights=average_attn_weights, is_causal=is_causal)
        if not self._qkv_same_embed_dim:
            out, w = F.multi_head_attention_forward(
                query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
                self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight,
                self.out_proj.bias, use_separate_proj_weight=True, q_proj_weight=self.q_proj_weight,
                k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight, **common)
        else:
            out, w = F.multi_head_attention_forward(
                query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
                self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight,
                self.out_proj.bias, **common)
        if self.batch_first and is_batched:
            return out.transpose(1, 0), w
        return out, w

    def merge_masks(self, attn_mask: Optional[Tensor], key_padding_mask: Optional[Tensor], query: Tensor):
        """Combine the two masks into one additive (batch, heads, L, S) mask and its type."""
        mask_type = None
        merged = None
        if key_padding_mask is not None:
            mask_type = 1
            merged = key_padding_mask
        if attn_mask is not None:
            bsz, seq_len, _ = query.shape
            mask_type = 2
            if attn_mask.dim() == 3:
                am = attn_mask.view(bsz, -1, seq_len, seq_len)
            else:
                am = attn_mask.view(1, 1, seq_len, seq_len).expand(bsz, self.num_heads, -1, -1)
            merged = am
            if key_padding_mask is not None:
                kp = key_padding_mask.view(bsz, 1, 1, seq_len).expand(-1, self.num_heads, -1, -1)
                merged = am + kp
        return merged, mask_type
