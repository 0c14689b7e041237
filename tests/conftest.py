"""Test set-up: torch (the oracle) runs with one thread so it does not fight NumPy's pool."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__)))

import torch  # noqa: E402

torch.set_num_threads(1)
