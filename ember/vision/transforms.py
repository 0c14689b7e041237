"""Image transforms with torchvision's names: ``Compose``, ``ToTensor``, ``Normalize``,
``RandomCrop``, ``RandomHorizontalFlip``, ``Lambda``.

Random transforms draw from ember's default generator exactly as torchvision draws from
torch's (``rand(1)`` for a flip, ``randint`` for a crop's corner), so seeded pipelines agree.
Images are tensors ``(..., H, W)``, NumPy arrays ``(H, W[, C])`` or PIL images.

>>> import numpy as np
>>> t = Compose([ToTensor(), Normalize((0.5,), (0.5,))])
>>> t(np.full((2, 2), 255, dtype=np.uint8))
tensor([[[1., 1.],
         [1., 1.]]])
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..utils.data._utils import _rng

__all__ = ["Compose", "ToTensor", "Normalize", "RandomCrop", "RandomHorizontalFlip", "Lambda"]


def _is_pil(img) -> bool:
    return type(img).__module__.startswith("PIL.")


class Compose:
    """Apply transforms one after another.

    >>> Compose([Lambda(lambda x: x + 1), Lambda(lambda x: x * 2)])(3)
    8
    """

    def __init__(self, transforms: Sequence[Callable]) -> None:
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"{self.__class__.__name__}({body}\n)"


class ToTensor:
    """A PIL image or ``(H, W[, C])`` array as a ``(C, H, W)`` tensor; ``uint8`` scaled to
    ``[0, 1]`` float32 (other dtypes kept as they are, as torchvision).

    >>> ToTensor()(np.array([[0, 51]], dtype=np.uint8))
    tensor([[[0.0000, 0.2000]]])
    """

    def __call__(self, pic) -> Tensor:
        if isinstance(pic, Tensor):
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
        if _is_pil(pic):
            mode = pic.mode
            arr = np.array(pic, dtype=np.uint8 if mode in ("L", "RGB", "RGBA", "P", "1", "CMYK", "YCbCr", "LAB", "HSV") else None)
            if mode == "1":
                arr = arr * 255
        elif isinstance(pic, np.ndarray):
            if pic.ndim not in (2, 3):
                raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
            arr = pic
        else:
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
        if arr.ndim == 2:
            arr = arr[:, :, None]
        chw = np.ascontiguousarray(arr.transpose(2, 0, 1))
        if chw.dtype == np.uint8:
            return _wrap(chw.astype(D.get_default_dtype().np) / np.array(255, D.get_default_dtype().np))
        return _wrap(chw)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


class Normalize:
    """``(x - mean) / std`` per channel of a float tensor ``(..., C, H, W)``.

    >>> import ember
    >>> Normalize([1.0], [2.0])(ember.ones(1, 1, 2))
    tensor([[[0., 0.]]])
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor: Tensor) -> Tensor:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
        if not tensor.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.ndim < 3:
            raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                             f"tensor.size() = {tensor.size()}")
        dt = tensor._data.dtype
        mean = np.asarray(self.mean, dtype=dt)
        std = np.asarray(self.std, dtype=dt)
        if (std == 0).any():
            raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
        if mean.ndim == 1:
            mean = mean.reshape(-1, 1, 1)
        if std.ndim == 1:
            std = std.reshape(-1, 1, 1)
        out = (tensor._data - mean) / std
        if self.inplace:
            tensor._data[...] = out
            tensor._bump_version()
            return tensor
        return _wrap(out.astype(dt, copy=False))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"


def _setup_size(size) -> Tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    return tuple(size)


def _as_array(img):
    """(array with H, W as the last two axes (tensors) or first two (arrays/PIL), kind)."""
    if isinstance(img, Tensor):
        return img._data, "tensor"
    if _is_pil(img):
        return np.asarray(img), "pil"
    if isinstance(img, np.ndarray):
        return img, "array"
    raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def _from_array(arr, kind, like):
    if kind == "tensor":
        return _wrap(np.ascontiguousarray(arr))
    if kind == "pil":
        from PIL import Image
        return Image.fromarray(np.ascontiguousarray(arr), mode=like.mode)
    return np.ascontiguousarray(arr)


def _hw_axes(arr, kind) -> Tuple[int, int]:
    return (arr.ndim - 2, arr.ndim - 1) if kind == "tensor" else (0, 1)


def _pad(img, padding, fill=0, padding_mode: str = "constant"):
    if isinstance(padding, numbers.Number):
        left = right = top = bottom = int(padding)
    elif len(padding) == 1:
        left = right = top = bottom = int(padding[0])
    elif len(padding) == 2:
        left = right = int(padding[0])
        top = bottom = int(padding[1])
    elif len(padding) == 4:
        left, top, right, bottom = (int(p) for p in padding)
    else:
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    arr, kind = _as_array(img)
    ha, wa = _hw_axes(arr, kind)
    widths = [(0, 0)] * arr.ndim
    widths[ha], widths[wa] = (top, bottom), (left, right)
    if padding_mode == "constant":
        out = np.pad(arr, widths, mode="constant", constant_values=fill)
    elif padding_mode in ("edge", "reflect", "symmetric"):
        out = np.pad(arr, widths, mode=padding_mode)
    else:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    return _from_array(out, kind, img)


def _dims(img) -> Tuple[int, int]:
    arr, kind = _as_array(img)
    ha, wa = _hw_axes(arr, kind)
    return arr.shape[ha], arr.shape[wa]


class RandomCrop:
    """A random ``size`` crop, after optional ``padding`` (torchvision's ``RandomCrop``).

    >>> import ember
    >>> RandomCrop(2, padding=1)(ember.zeros(1, 3, 3)).shape
    torch.Size([1, 2, 2])
    """

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0,
                 padding_mode: str = "constant") -> None:
        self.size = _setup_size(size)
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    @staticmethod
    def get_params(img, output_size: Tuple[int, int]) -> Tuple[int, int, int, int]:
        """``(top, left, height, width)`` of a random crop, drawn as torchvision draws it."""
        h, w = _dims(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        i = _rng.randint_range(0, h - th + 1)
        j = _rng.randint_range(0, w - tw + 1)
        return i, j, th, tw

    def __call__(self, img):
        if self.padding is not None:
            img = _pad(img, self.padding, self.fill, self.padding_mode)
        height, width = _dims(img)
        if self.pad_if_needed and width < self.size[1]:
            img = _pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = _pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        arr, kind = _as_array(img)
        if kind == "tensor":
            out = arr[..., i:i + h, j:j + w]
        else:
            out = arr[i:i + h, j:j + w]
        return _from_array(out, kind, img)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p`` (one ``rand(1)`` draw per call, as torchvision).

    >>> import ember
    >>> RandomHorizontalFlip(p=1.0)(ember.tensor([[[1, 2, 3]]]))
    tensor([[[3, 2, 1]]])
    """

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img):
        if _rng.rand1() < self.p:
            arr, kind = _as_array(img)
            _, wa = _hw_axes(arr, kind)
            return _from_array(np.flip(arr, axis=wa), kind, img)
        return img

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p={self.p})"


class Lambda:
    """A user function as a transform.

    >>> Lambda(lambda x: x * 10)(2)
    20
    """

    def __init__(self, lambd: Callable) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"
