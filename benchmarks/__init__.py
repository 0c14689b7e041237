"""ember's benchmark suite: every case runs under ember and under PyTorch, in separate
processes, alternately, and reports medians and the ember/torch ratio (``python -m benchmarks``)."""
