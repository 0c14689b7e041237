"""Names the docstring examples of the package may use without importing them."""
import numpy
import pytest


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    import ember
    doctest_namespace.update(ember=ember, F=ember.nn.functional, np=numpy)
