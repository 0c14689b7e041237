"""``ember.vision``: a small ``torchvision``: MNIST/FashionMNIST/CIFAR10 read from local files,
the bundled 8x8 ``Digits``, and the common transforms.

>>> from ember.vision import transforms
>>> transforms.Normalize((0.5,), (0.5,))
Normalize(mean=(0.5,), std=(0.5,))
"""
from . import datasets, transforms  # noqa: F401
