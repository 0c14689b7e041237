"""ember.vision: MNIST/FashionMNIST/CIFAR10 read from small files written here, the bundled
Digits, and transforms checked against the same computation done with torch (and, for random
transforms, torch's generator drawing what torchvision draws)."""
import gzip
import os
import pickle
import struct

import numpy as np
import pytest
import torch

import ember
from ember.utils.data import DataLoader
from ember.vision import datasets, transforms

PIL = pytest.importorskip("PIL.Image")


def seed_both(seed):
    torch.manual_seed(seed)
    getattr(ember, "manual_seed", ember._generator.default_generator.manual_seed)(seed)


def write_idx(path, arr, gz=False):
    arr = np.asarray(arr, dtype=np.uint8)
    head = bytes([0, 0, 0x08, arr.ndim]) + b"".join(struct.pack(">I", s) for s in arr.shape)
    data = head + arr.tobytes()
    with (gzip.open(path + ".gz", "wb") if gz else open(path, "wb")) as fh:
        fh.write(data)


def make_mnist(folder, n_train=6, n_test=4, gz=False, seed=0):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    out = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        imgs = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        write_idx(os.path.join(folder, f"{split}-images-idx3-ubyte"), imgs, gz)
        write_idx(os.path.join(folder, f"{split}-labels-idx1-ubyte"), labels, gz)
        out[split] = (imgs, labels)
    return out


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("layout", ["torchvision", "flat"])
def test_mnist_reads_idx_files(tmp_path, gz, layout):
    folder = tmp_path / "MNIST" / "raw" if layout == "torchvision" else tmp_path
    ref = make_mnist(str(folder), gz=gz)
    for train, key in ((True, "train"), (False, "t10k")):
        ds = datasets.MNIST(str(tmp_path), train=train)
        imgs, labels = ref[key]
        assert len(ds) == len(imgs)
        assert ds.data.dtype == ember.uint8 and ds.targets.dtype == ember.int64
        np.testing.assert_array_equal(ds.data.numpy(), imgs)
        img, target = ds[1]
        assert img.mode == "L" and type(target) is int and target == labels[1]
        np.testing.assert_array_equal(np.asarray(img), imgs[1])


def test_mnist_with_transform_matches_torch(tmp_path):
    ref = make_mnist(str(tmp_path / "MNIST" / "raw"))
    ds = datasets.MNIST(str(tmp_path), transform=transforms.Compose([transforms.ToTensor(),
                                                                     transforms.Normalize((0.1307,), (0.3081,))]),
                        target_transform=lambda y: y + 100)
    x, y = ds[2]
    want = (torch.from_numpy(ref["train"][0][2]).float().div(255)[None] - 0.1307) / 0.3081
    assert x.dtype == ember.float32 and tuple(x.shape) == (1, 28, 28) and y == ref["train"][1][2] + 100
    np.testing.assert_array_equal(x.numpy(), want.numpy())
    batch = next(iter(DataLoader(ds, batch_size=4)))
    assert tuple(batch[0].shape) == (4, 1, 28, 28) and batch[1].dtype == ember.int64


def test_fashion_mnist_folder(tmp_path):
    make_mnist(str(tmp_path / "FashionMNIST" / "raw"), gz=True)
    ds = datasets.FashionMNIST(str(tmp_path), train=False)
    assert len(ds) == 4 and ds.classes[9] == "Ankle boot"


def test_mnist_missing_files_and_download(tmp_path):
    with pytest.raises(RuntimeError, match=r"Dataset not found\. MNIST needs the files train-images-idx3-ubyte\[\.gz\], "
                                           r"train-labels-idx1-ubyte\[\.gz\]"):
        datasets.MNIST(str(tmp_path))
    with pytest.raises(RuntimeError, match="download=True is not supported"):
        datasets.MNIST(str(tmp_path), download=True)
    folder = tmp_path / "MNIST" / "raw"
    make_mnist(str(folder))
    (folder / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x09\x01")
    with pytest.raises(RuntimeError, match="IDX header announces shape"):
        datasets.MNIST(str(tmp_path))
    (folder / "train-labels-idx1-ubyte").write_bytes(b"garbage!")
    with pytest.raises(RuntimeError, match="is not an IDX file"):
        datasets.MNIST(str(tmp_path))


def make_cifar(root, binary=False, n=3, seed=0):
    rng = np.random.default_rng(seed)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    folder = os.path.join(root, "cifar-10-batches-bin" if binary else "cifar-10-batches-py")
    os.makedirs(folder, exist_ok=True)
    ref = {}
    for name in names:
        data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        labels = rng.integers(0, 10, n).tolist()
        ref[name] = (data, labels)
        if binary:
            rec = np.concatenate([np.array(labels, np.uint8)[:, None], data], axis=1)
            rec.tofile(os.path.join(folder, name + ".bin"))
        else:
            with open(os.path.join(folder, name), "wb") as fh:
                pickle.dump({"data": data, "labels": labels, "batch_label": name}, fh, protocol=2)
    return ref


@pytest.mark.parametrize("binary", [False, True])
def test_cifar10(tmp_path, binary):
    ref = make_cifar(str(tmp_path), binary)
    train = datasets.CIFAR10(str(tmp_path), train=True)
    test = datasets.CIFAR10(str(tmp_path), train=False)
    assert len(train) == 15 and len(test) == 3 and train.data.shape == (15, 32, 32, 3)
    data, labels = ref["data_batch_2"]
    img, y = train[4]  # second image of batch 2
    want = data[1].reshape(3, 32, 32).transpose(1, 2, 0)
    assert img.mode == "RGB" and y == labels[1]
    np.testing.assert_array_equal(np.asarray(img), want)
    t = transforms.ToTensor()(img)
    np.testing.assert_array_equal(t.numpy(), torch.from_numpy(data[1].reshape(3, 32, 32)).float().div(255).numpy())


def test_cifar10_missing_and_unsafe_batch(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found. CIFAR10 needs data_batch_1"):
        datasets.CIFAR10(str(tmp_path))
    make_cifar(str(tmp_path))
    marker = tmp_path / "PWNED"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))
    with open(tmp_path / "cifar-10-batches-py" / "test_batch", "wb") as fh:
        pickle.dump({"data": Evil(), "labels": []}, fh)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load global"):
        datasets.CIFAR10(str(tmp_path), train=False)
    assert not marker.exists()


def test_digits_bundled_split():
    sk = pytest.importorskip("sklearn.datasets")
    bunch = sk.load_digits()
    train, test = datasets.Digits(train=True), datasets.Digits(train=False)
    assert len(train) == 1437 and len(test) == 360
    img, y = test[3]  # the 4th test image is image 15 (every fifth image is a test image)
    assert img.dtype == ember.float32 and tuple(img.shape) == (1, 8, 8) and y == int(bunch.target[15])
    np.testing.assert_array_equal(img.numpy()[0], (bunch.images[15] / 16).astype(np.float32))
    img, y = train[4]  # train images are those with index % 5 != 0: 1, 2, 3, 4, 6, ...
    assert y == int(bunch.target[6])
    xb, yb = next(iter(DataLoader(train, batch_size=32, shuffle=True)))
    assert tuple(xb.shape) == (32, 1, 8, 8) and yb.dtype == ember.int64


# ----------------------------------------------------------------------------- transforms
@pytest.mark.parametrize("make", [
    lambda: np.arange(12, dtype=np.uint8).reshape(3, 4) * 20,
    lambda: np.arange(24, dtype=np.uint8).reshape(2, 4, 3) * 10,
])
def test_to_tensor_matches_torch(make):
    arr = make()
    a3 = arr[:, :, None] if arr.ndim == 2 else arr
    want = torch.from_numpy(a3.transpose(2, 0, 1).copy()).float().div(255)
    for pic in (arr, PIL.fromarray(arr)):
        got = transforms.ToTensor()(pic)
        assert got.dtype == ember.float32
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_to_tensor_keeps_non_uint8_and_rejects_tensors():
    x = np.ones((2, 2), np.float64)
    got = transforms.ToTensor()(x)
    assert got.dtype == ember.float64 and tuple(got.shape) == (1, 2, 2)
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        transforms.ToTensor()(ember.ones(2, 2))


def test_normalize_matches_torch():
    x = np.random.default_rng(1).random((3, 4, 5)).astype(np.float32)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    want = (torch.tensor(x) - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(3, 1, 1)
    got = transforms.Normalize(mean, std)(ember.tensor(x))
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    t = ember.tensor(x)
    assert transforms.Normalize(mean, std, inplace=True)(t) is t
    np.testing.assert_array_equal(t.numpy(), want.numpy())
    with pytest.raises(TypeError, match=r"Input tensor should be a float tensor. Got torch.int64."):
        transforms.Normalize((0,), (1,))(ember.zeros(1, 2, 2, dtype=ember.int64))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        transforms.Normalize((0,), (0,))(ember.zeros(1, 2, 2))


def _torchvision_crop(x, size, padding):
    """torchvision's RandomCrop on a tensor, spelled out with torch ops and torch's generator."""
    x = torch.nn.functional.pad(x, (padding,) * 4)
    h, w = x.shape[-2:]
    i = torch.randint(0, h - size + 1, size=(1,)).item()
    j = torch.randint(0, w - size + 1, size=(1,)).item()
    return x[..., i:i + size, j:j + size]


def test_random_crop_draws_like_torchvision():
    x = np.arange(2 * 6 * 7, dtype=np.float32).reshape(2, 6, 7)
    seed_both(3)
    crop = transforms.RandomCrop(5, padding=2)
    got = [crop(ember.tensor(x)).numpy() for _ in range(4)]
    want = [_torchvision_crop(torch.tensor(x), 5, 2).numpy() for _ in range(4)]
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    assert repr(crop) == "RandomCrop(size=(5, 5), padding=2)"
    with pytest.raises(ValueError, match=r"Required crop size \(9, 9\) is larger than input image size \(6, 7\)"):
        transforms.RandomCrop(9)(ember.tensor(x))
    padded = transforms.RandomCrop(8, pad_if_needed=True, padding_mode="edge")(PIL.fromarray(np.zeros((6, 7), np.uint8)))
    assert padded.size == (8, 8)


def test_random_horizontal_flip_draws_like_torchvision():
    x = np.arange(12, dtype=np.float32).reshape(1, 3, 4)
    seed_both(11)
    flip = transforms.RandomHorizontalFlip(p=0.5)
    got = [flip(ember.tensor(x)).numpy() for _ in range(8)]
    flips = [bool(torch.rand(1) < 0.5) for _ in range(8)]
    assert any(flips) and not all(flips)
    for g, f in zip(got, flips):
        np.testing.assert_array_equal(g, x[..., ::-1] if f else x)
    img = PIL.fromarray(np.arange(6, dtype=np.uint8).reshape(2, 3))
    assert np.asarray(transforms.RandomHorizontalFlip(1.0)(img)).tolist() == [[2, 1, 0], [5, 4, 3]]


def test_compose_and_lambda_repr():
    t = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,)), transforms.Lambda(abs)])
    assert repr(t) == "Compose(\n    ToTensor()\n    Normalize(mean=(0.5,), std=(0.5,))\n    Lambda()\n)"
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        transforms.Lambda(3)


def test_image_folder(tmp_path):
    for cls, value in (("cat", 10), ("dog", 200)):
        os.makedirs(tmp_path / cls)
        PIL.fromarray(np.full((4, 4, 3), value, np.uint8)).save(tmp_path / cls / "a.png")
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    ds = datasets.ImageFolder(str(tmp_path), transform=transforms.ToTensor())
    assert ds.classes == ["cat", "dog"] and len(ds) == 2 and ds.targets == [0, 1]
    x, y = ds[1]
    assert y == 1 and tuple(x.shape) == (3, 4, 4)
    np.testing.assert_allclose(x.numpy(), np.float32(200) / np.float32(255))
