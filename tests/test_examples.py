"""Smoke tests: every script of examples/ and the main job run end to end with tiny settings.

Each runs in its own process (as a user would run it), with ``--tiny``; the test checks the
exit code and the script's final ``RESULT:`` line. Two processes at a time keep the file fast.
"""
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")

# script -> the pattern of its last line under --tiny
SCRIPTS = {
    "polynomial_fit.py": r"RESULT: polynomial_fit loss=\d+\.\d{4}",
    "custom_function.py": r"RESULT: custom_function gradcheck=True loss=\d+\.\d{4}",
    "mlp_digits.py": r"RESULT: mlp_digits test_accuracy=\d+\.\d\d%",
    "lenet_digits.py": r"RESULT: lenet_digits test_accuracy=\d+\.\d\d%",
    "char_lstm.py": r"RESULT: char_lstm val_loss=\d+\.\d{3}",
    "tiny_gpt.py": r"RESULT: tiny_gpt val_loss=\d+\.\d{3}",
    "wgan_gp.py": r"RESULT: wgan_gp near_mode=\d+\.\d% modes=\d",
    "finetune_frozen.py": r"RESULT: finetune_frozen scratch=\S+% head=\S+% finetuned=\S+% frozen_unchanged=True",
}


def _env():
    env = dict(os.environ, EMBER_EXAMPLES_TINY="1", MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1", PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return env


def _run(args, cwd):
    return subprocess.run([sys.executable] + args, cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=300)


def _write_idx(path, arr):
    code = {np.dtype(np.uint8): 0x08}[arr.dtype]
    head = bytes([0, 0, code, arr.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in arr.shape)
    with open(path, "wb") as f:
        f.write(head + arr.tobytes())


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run everything once, two at a time; map a name to its CompletedProcess."""
    tmp = tmp_path_factory.mktemp("examples")
    # a tiny MNIST-format data set (random images) for the main job's --data mnist:DIR path
    rng = np.random.default_rng(0)
    mnist = tmp / "mnist"
    mnist.mkdir()
    for name, n in (("train", 40), ("t10k", 20)):
        _write_idx(str(mnist / f"{name}-images-idx3-ubyte"), rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        _write_idx(str(mnist / f"{name}-labels-idx1-ubyte"), (np.arange(n) % 10).astype(np.uint8))
    jobs = {name: ([os.path.join(EXAMPLES, name), "--tiny"], str(tmp)) for name in SCRIPTS}
    jobs["digits"] = (["-m", "ember.examples.digits", "--epochs", "1", "--out", str(tmp / "out")], str(tmp))
    jobs["digits_mnist"] = (["-m", "ember.examples.digits", "--epochs", "1", "--batch-size", "16",
                             "--no-progress", "--data", f"mnist:{mnist}", "--out", str(tmp / "out_mnist")],
                            str(tmp))
    jobs["quickstart"] = (["-m", "ember.examples.quickstart"], str(tmp))
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_run, args, cwd) for name, (args, cwd) in jobs.items()}
        results = {name: f.result() for name, f in futures.items()}
    results["_tmp"] = tmp
    return results


def _last_line(proc):
    assert proc.returncode == 0, f"exit code {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert lines, proc.stderr
    return lines[-1]


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_example_runs_tiny(runs, script):
    assert re.fullmatch(SCRIPTS[script], _last_line(runs[script]))


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_example_states_its_quality(script):
    # each script says in its docstring what a full run reaches, and how to run it tiny
    src = open(os.path.join(EXAMPLES, script), encoding="utf-8").read()
    doc = src.split('"""')[1]
    assert "Quality of a full run" in doc and "--tiny" in doc
    assert "import ember as torch" in src


def test_main_job(runs):
    proc = runs["digits"]
    assert re.fullmatch(r"test accuracy: \d+\.\d\d%", _last_line(proc))
    out = runs["_tmp"] / "out"
    with open(out / "curves.png", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert (out / "digits_cnn.pt").stat().st_size > 10_000
    assert "epoch  1/1  train loss" in proc.stdout and "val acc" in proc.stdout
    assert "reloaded: test accuracy" in proc.stdout
    assert "epoch  1/1" in proc.stderr and "batch" in proc.stderr     # the tqdm bar


def test_main_job_checkpoint_loads(runs):
    import ember
    from ember.examples.digits import DigitsCNN
    ckpt = ember.load(str(runs["_tmp"] / "out" / "digits_cnn.pt"))
    model = DigitsCNN(ckpt["side"])
    model.load_state_dict(ckpt["model"])
    assert set(ckpt["history"]) == {"train_loss", "train_acc", "val_loss", "val_acc"}
    assert model(ember.zeros(2, 1, 8, 8)).shape == (2, 10)


def test_main_job_on_mnist_files(runs):
    proc = runs["digits_mnist"]
    assert re.fullmatch(r"test accuracy: \d+\.\d\d%", _last_line(proc))
    assert "40 train" not in proc.stdout and "(28x28)" in proc.stdout


def test_quickstart(runs):
    assert _last_line(runs["quickstart"]).startswith("graph: <SumBackward0 object at")


def test_console_script_is_declared():
    text = open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8").read()
    assert 'ember-demo = "ember.examples.digits:main"' in text
    from ember.examples import digits
    assert digits.main.__code__.co_argcount == 1        # main(argv=None): usable as an entry point
