"""Datasets read from local files (nothing is downloaded): ``MNIST``, ``FashionMNIST``,
``CIFAR10``, ``ImageFolder`` (needs Pillow), and the bundled 8x8 ``Digits``.

Images come as PIL images when Pillow is installed (as torchvision gives them), otherwise as
NumPy ``uint8`` arrays; either way ``transforms.ToTensor()`` makes tensors of them.

>>> ds = Digits(train=False)
>>> img, label = ds[0]; img.shape
torch.Size([1, 8, 8])
"""
from __future__ import annotations

import gzip
import os
import pickle
from typing import Any, Callable, List, Optional, Tuple

import numpy as np

from .._tensor import Tensor, _wrap
from ..utils.data import Dataset

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "ImageFolder", "Digits"]

_NO_DOWNLOAD = ("{name}: download=True is not supported (ember never uses the network). Download "
                "the files yourself and put them under {where}, then pass download=False.")


def _to_image(arr: np.ndarray, mode: Optional[str]):
    try:
        from PIL import Image
    except ImportError:
        return arr
    return Image.fromarray(arr, mode=mode) if mode else Image.fromarray(arr)


# ----------------------------------------------------------------------------- IDX (MNIST)
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path: str) -> np.ndarray:
    """An IDX file (gzipped or not) as a NumPy array.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x-idx1-ubyte")
    >>> _ = open(p, "wb").write(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]))
    >>> read_idx(p).tolist()
    [7, 9]
    """
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as fh:
        data = fh.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise RuntimeError(f"{path} is not an IDX file (bad magic number)")
    dt = np.dtype(_IDX_TYPES[data[2]])
    nd = data[3]
    head = 4 + 4 * nd
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(nd))
    count = int(np.prod(shape)) if shape else 1
    if len(data) - head != count * dt.itemsize:
        raise RuntimeError(f"{path}: IDX header announces shape {shape} ({count * dt.itemsize} bytes of data) "
                           f"but the file holds {len(data) - head}")
    return np.frombuffer(data, dt, count, head).astype(dt.newbyteorder("="), copy=True).reshape(shape)


class MNIST(Dataset):
    """MNIST from the four standard IDX files under ``root/MNIST/raw/`` (torchvision's layout)
    or directly in ``root``, gzipped or not. Items are ``(image, label)``.

    ``data`` is a uint8 tensor ``(N, 28, 28)``, ``targets`` an int64 tensor.
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]
    _files = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
              False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}

    def __init__(self, root: str, train: bool = True, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None, download: bool = False) -> None:
        self.root = os.path.expanduser(os.fspath(root))
        self.train = train
        self.transform, self.target_transform = transform, target_transform
        if download:
            raise RuntimeError(_NO_DOWNLOAD.format(name=type(self).__name__, where=self.raw_folder))
        images, labels = (self._find(n) for n in self._files[bool(train)])
        img, lab = read_idx(images), read_idx(labels)
        if img.ndim != 3 or lab.ndim != 1 or img.shape[0] != lab.shape[0]:
            raise RuntimeError(f"{type(self).__name__}: {images} and {labels} do not match "
                               f"(images {img.shape}, labels {lab.shape})")
        self.data = _wrap(img.astype(np.uint8))
        self.targets = _wrap(lab.astype(np.int64))

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "raw")

    def _find(self, name: str) -> str:
        tried = []
        for folder in (self.raw_folder, self.root):
            for fname in (name, name + ".gz"):
                p = os.path.join(folder, fname)
                tried.append(p)
                if os.path.isfile(p):
                    return p
        wanted = ", ".join(n + "[.gz]" for n in self._files[bool(self.train)])
        raise RuntimeError(f"Dataset not found. {type(self).__name__} needs the files {wanted} in "
                           f"{self.raw_folder} or {self.root}; looked for: {', '.join(tried)}")

    def __getitem__(self, index: int) -> Tuple[Any, Any]:
        img = _to_image(self.data._data[index], "L")
        target = int(self.targets._data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __repr__(self) -> str:
        split = "Train" if self.train else "Test"
        return (f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n"
                f"    Root location: {self.root}\n    Split: {split}")


class FashionMNIST(MNIST):
    """Fashion-MNIST: MNIST's file names and format, under ``root/FashionMNIST/raw/``."""

    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
               "Bag", "Ankle boot"]


# ----------------------------------------------------------------------------- CIFAR10
class _NumpyOnlyUnpickler(pickle.Unpickler):
    """CIFAR's python batches are pickles of dicts of NumPy arrays: allow nothing else."""

    _ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
                ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
                ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"CIFAR10: refusing to load global {module}.{name} from a batch file")


class CIFAR10(Dataset):
    """CIFAR-10 from ``root/cifar-10-batches-py`` (the python version) or
    ``root/cifar-10-batches-bin`` (the binary version). Items are ``(image, label)``;
    ``data`` is a uint8 array ``(N, 32, 32, 3)`` and ``targets`` a list of ints, as torchvision.
    """

    base_folder = "cifar-10-batches-py"
    bin_folder = "cifar-10-batches-bin"
    train_list = [f"data_batch_{i}" for i in range(1, 6)]
    test_list = ["test_batch"]
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    def __init__(self, root: str, train: bool = True, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None, download: bool = False) -> None:
        self.root = os.path.expanduser(os.fspath(root))
        self.train = train
        self.transform, self.target_transform = transform, target_transform
        if download:
            raise RuntimeError(_NO_DOWNLOAD.format(name="CIFAR10", where=os.path.join(self.root, self.base_folder)))
        names = self.train_list if train else self.test_list
        py_dir = os.path.join(self.root, self.base_folder)
        bin_dir = os.path.join(self.root, self.bin_folder)
        if all(os.path.isfile(os.path.join(py_dir, n)) for n in names):
            data, targets = self._load_python(py_dir, names)
        elif all(os.path.isfile(os.path.join(bin_dir, n + ".bin")) for n in names):
            data, targets = self._load_binary(bin_dir, names)
        else:
            raise RuntimeError(f"Dataset not found. CIFAR10 needs {', '.join(names)} in {py_dir} (python version) "
                               f"or {', '.join(n + '.bin' for n in names)} in {bin_dir} (binary version)")
        self.data = data
        self.targets = targets

    @staticmethod
    def _load_python(folder: str, names: List[str]):
        chunks, targets = [], []
        for n in names:
            with open(os.path.join(folder, n), "rb") as fh:
                entry = _NumpyOnlyUnpickler(fh, encoding="latin1").load()
            chunks.append(np.asarray(entry["data"], dtype=np.uint8))
            targets.extend(int(x) for x in (entry["labels"] if "labels" in entry else entry["fine_labels"]))
        data = np.vstack(chunks).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return np.ascontiguousarray(data), targets

    @staticmethod
    def _load_binary(folder: str, names: List[str]):
        chunks = []
        for n in names:
            raw = np.fromfile(os.path.join(folder, n + ".bin"), dtype=np.uint8)
            if raw.size % 3073:
                raise RuntimeError(f"CIFAR10: {n}.bin has {raw.size} bytes, not a multiple of 3073")
            chunks.append(raw.reshape(-1, 3073))
        rec = np.vstack(chunks)
        data = rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return np.ascontiguousarray(data), rec[:, 0].astype(int).tolist()

    def __getitem__(self, index: int):
        img = _to_image(self.data[index], "RGB")
        target = self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}


# ----------------------------------------------------------------------------- ImageFolder
IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


class ImageFolder(Dataset):
    """``root/<class>/<image>`` files as ``(PIL image, class index)`` (needs Pillow).
    Classes are the sorted sub-folder names."""

    def __init__(self, root: str, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None, loader: Optional[Callable] = None,
                 is_valid_file: Optional[Callable[[str], bool]] = None) -> None:
        try:
            from PIL import Image  # noqa: F401
        except ImportError:
            raise ImportError("ImageFolder needs Pillow: pip install pillow") from None
        self.root = os.path.expanduser(os.fspath(root))
        self.transform, self.target_transform = transform, target_transform
        self.loader = loader or _pil_loader
        classes = sorted(e.name for e in os.scandir(self.root) if e.is_dir())
        if not classes:
            raise FileNotFoundError(f"Couldn't find any class folder in {self.root}.")
        self.classes = classes
        self.class_to_idx = {c: i for i, c in enumerate(classes)}
        valid = is_valid_file or (lambda p: p.lower().endswith(IMG_EXTENSIONS))
        samples = []
        for c in classes:
            for dirpath, _, files in sorted(os.walk(os.path.join(self.root, c), followlinks=True)):
                for f in sorted(files):
                    p = os.path.join(dirpath, f)
                    if valid(p):
                        samples.append((p, self.class_to_idx[c]))
        if not samples:
            raise FileNotFoundError(f"Found no valid file for the classes {', '.join(classes)}. "
                                    f"Supported extensions are: {', '.join(IMG_EXTENSIONS)}")
        self.samples = self.imgs = samples
        self.targets = [s[1] for s in samples]

    def __getitem__(self, index: int):
        path, target = self.samples[index]
        img = self.loader(path)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.samples)


def _pil_loader(path: str):
    from PIL import Image
    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


# ----------------------------------------------------------------------------- Digits
class Digits(Dataset):
    """scikit-learn's bundled 8x8 handwritten digits (1797 images), nothing to download.

    Items are ``(image, label)`` with ``image`` a float32 tensor ``(1, 8, 8)`` in ``[0, 1]``
    (pixel / 16). The split is fixed: every fifth image (index % 5 == 0) is in the test set
    (360 images), the others in the train set (1437).

    >>> len(Digits(train=True)), len(Digits(train=False))
    (1437, 360)
    """

    classes = [str(i) for i in range(10)]

    def __init__(self, train: bool = True, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None) -> None:
        try:
            from sklearn.datasets import load_digits
        except ImportError:
            raise ImportError("Digits needs scikit-learn (it ships the data): pip install scikit-learn, "
                              "or install ember's 'examples' extra") from None
        bunch = load_digits()
        images = np.asarray(bunch.images, dtype=np.float32) / np.float32(16.0)
        target = np.asarray(bunch.target, dtype=np.int64)
        test = np.arange(len(target)) % 5 == 0
        keep = ~test if train else test
        self.train = train
        self.transform, self.target_transform = transform, target_transform
        self.data = _wrap(np.ascontiguousarray(images[keep][:, None, :, :]))
        self.targets = _wrap(target[keep])

    def __getitem__(self, index: int):
        img = _wrap(self.data._data[index].copy())
        target = int(self.targets._data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return self.data._data.shape[0]
