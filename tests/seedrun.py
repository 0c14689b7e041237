"""Run a snippet of a learner's notes under ember and under torch and compare what it prints.

The snippet sees ``torch`` bound to the library under test. Object addresses
(``0x7f...``) are masked; everything else must match character for character, including
exception type and message when the snippet raises.
"""
from __future__ import annotations

import contextlib
import io
import re
import textwrap
import traceback
import warnings

import torch

import ember

_ADDR = re.compile(r"0x[0-9a-f]+")


def run(code: str, lib) -> str:
    buf = io.StringIO()
    env = {"torch": lib, "nn": getattr(lib, "nn", None), "__name__": "__seed__"}
    with contextlib.redirect_stdout(buf), warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            exec(compile(textwrap.dedent(code), "<seed>", "exec"), env)
        except Exception as e:  # noqa: BLE001
            print(f"!! {type(e).__name__}: {e}")
        for w in ws:
            print(f"~~ {w.category.__name__}: {w.message}")
    return _ADDR.sub("0x?", buf.getvalue())


def compare(code: str) -> str:
    """Assert ember prints exactly what torch prints; returns the text."""
    expected = run(code, torch)
    got = run(code, ember)
    assert got == expected, f"ember printed:\n{got}\ntorch printed:\n{expected}"
    return expected
