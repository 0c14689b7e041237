"""The one seam between ember and its array library.

Every module takes its array namespace from here (``from ._backend import np``), so that an
array library with NumPy's API (for example CuPy) can stand in for NumPy in one place.
"""
import numpy as np

__all__ = ["np"]
