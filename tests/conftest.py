"""Test set-up: torch (the oracle) runs with one thread so it does not fight NumPy's pool."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__)))

import torch  # noqa: E402

torch.set_num_threads(1)

# In CI, property tests draw the same examples every run (a failure found while developing is
# kept as an explicit example in the test; CI must not turn red on a newly drawn input).
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
