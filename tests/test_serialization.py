"""ember.save/ember.load against torch.save/torch.load: files cross both ways (zip and legacy
formats), shared storages and views survive, every dtype, Parameters and optimizer state;
weights-only loading refuses malicious pickles without running them; broken files give clear
errors; safetensors files cross both ways."""
import collections
import io
import os
import pickle
import struct
import sys
import zipfile

import numpy as np
import pytest
import torch

import ember
from ember import serialization as S


def like(e, t, path="obj"):
    """An object ember loaded mirrors the one torch loaded (or torch saved)."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{path}: {type(e)}"
        want = "torch.float32" if t.dtype == torch.bfloat16 else str(t.dtype)  # NOTE: no bf16 in ember
        assert str(e.dtype) == want, f"{path}: dtype {e.dtype} != {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), path
        assert e.requires_grad == t.requires_grad, f"{path}: requires_grad"
        assert isinstance(e, ember.nn.Parameter) == isinstance(t, torch.nn.Parameter), f"{path}: Parameter"
        tv = t.detach().float().numpy() if t.dtype == torch.bfloat16 else t.detach().numpy()
        np.testing.assert_array_equal(e.detach().numpy(), tv, err_msg=path)
        if t.numel() > 1 and t.dtype != torch.bfloat16:
            assert e.stride() == t.stride() and e.storage_offset() == t.storage_offset(), f"{path}: layout"
        return
    if isinstance(t, torch.dtype):
        assert str(e) == str(t), path
        return
    if isinstance(t, torch.Size):
        assert isinstance(e, ember.Size) and tuple(e) == tuple(t), path
        return
    if isinstance(t, torch.device):
        assert str(e) == str(t), path
        return
    assert type(e) is type(t), f"{path}: {type(e)} != {type(t)}"
    if isinstance(t, dict):
        assert list(e) == list(t), path
        for k in t:
            like(e[k], t[k], f"{path}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert len(e) == len(t), path
        for i, (a, b) in enumerate(zip(e, t)):
            like(a, b, f"{path}[{i}]")
    elif isinstance(t, float) and t != t:
        assert e != e, path
    else:
        assert e == t, f"{path}: {e!r} != {t!r}"


def torch_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))


def torch_checkpoint():
    model = torch_model()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.8, 0.9))
    model(torch.randn(5, 4)).sum().backward()
    opt.step()
    x = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    return {
        "model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3, "loss": 0.25,
        "history": [1.0, float("nan"), None, True, "text", b"raw", (1, 2), {3, 4}, 1 + 2j],
        "views": {"base": x, "row": x[1], "col": x[:, 2], "t": x.t(), "strided": x[::2, 1::3],
                  "reshaped": x.view(2, 12), "scalar": x[3, 5]},
        "param": torch.nn.Parameter(torch.ones(2, 2)), "frozen": torch.nn.Parameter(torch.zeros(1), requires_grad=False),
        "grad_leaf": torch.tensor([1.0, 2.0], requires_grad=True),
        "meta": collections.OrderedDict(size=x.shape, dtype=torch.float16, device=torch.device("cpu")),
        "empty": torch.empty(0, 3), "counter": collections.Counter("abca"),
    }


ALL_DTYPES = [torch.float16, torch.float32, torch.float64, torch.bfloat16, torch.int8, torch.int16,
              torch.int32, torch.int64, torch.uint8, torch.bool, torch.complex64, torch.complex128]


def dtype_tensors():
    base = np.array([[0, 1.5, -2], [3.25, 100, -0.5]])
    out = {}
    for d in ALL_DTYPES:
        t = torch.tensor(base).to(d) if not d.is_complex else torch.tensor(base + 1j * base[::-1]).to(d)
        out[str(d)] = t
        out[str(d) + "_t"] = t.t()
    return out


# ----------------------------------------------------------------------------- torch -> ember
@pytest.mark.parametrize("legacy", [False, True])
def test_torch_checkpoint_loads_in_ember(tmp_path, legacy):
    ck = torch_checkpoint()
    path = tmp_path / "ck.pt"
    torch.save(ck, path, _use_new_zipfile_serialization=not legacy)
    like(ember.load(path), torch.load(path, weights_only=True))


def test_torch_state_dict_gives_same_model_outputs(tmp_path):
    model = torch_model().eval()
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    sd = ember.load(path)
    assert type(sd) is collections.OrderedDict and list(sd) == list(model.state_dict())
    em = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.BatchNorm1d(3), ember.nn.Linear(3, 2)).eval()
    em.load_state_dict(sd)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    with torch.no_grad():
        want = model(torch.tensor(x)).numpy()
    got = em(ember.tensor(x)).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_every_dtype_from_torch(tmp_path):
    ts = dtype_tensors()
    torch.save(ts, tmp_path / "d.pt")
    like(ember.load(tmp_path / "d.pt"), ts)


def test_shared_storage_stays_shared(tmp_path):
    x = torch.arange(12.0).reshape(3, 4)
    torch.save({"x": x, "col": x[:, 1], "t": x.t(), "tail": x.view(-1)[5:]}, tmp_path / "s.pt")
    r = ember.load(tmp_path / "s.pt")
    for k in ("col", "t", "tail"):
        assert np.shares_memory(r["x"].numpy(), r[k].numpy()), k
    r["x"].numpy()[1, 1] = -1.0
    assert r["col"].tolist() == [1.0, -1.0, 9.0] and r["tail"][0].item() == -1.0
    assert r["tail"].storage_offset() == 5 and r["col"].storage_offset() == 1


def test_file_objects_and_map_location(tmp_path):
    x = torch.tensor([1.0, 2.0])
    buf = io.BytesIO()
    torch.save({"x": x}, buf)
    for ml in (None, "cpu", torch.device("cpu"), ember.device("cpu"), {"cpu": "cpu"},
               lambda storage, loc: storage, lambda storage, loc: None):
        buf.seek(0)
        like(ember.load(buf, map_location=ml)["x"], x)
    with open(tmp_path / "f.pt", "wb") as fh:
        torch.save(x, fh)
    with open(tmp_path / "f.pt", "rb") as fh:
        like(ember.load(fh), x)


def _rewrite(src: bytes, fn) -> bytes:
    """A copy of a zip checkpoint with fn(name, payload) applied to each record (CRCs valid)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for n in zin.namelist():
            zout.writestr(n, fn(n, zin.read(n)))
    return out.getvalue()


def test_cuda_location_needs_map_location():
    buf = io.BytesIO()
    torch.save({"x": torch.ones(2)}, buf)
    data = _rewrite(buf.getvalue(), lambda n, b: b.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
                    if n.endswith("data.pkl") else b)
    errs = []
    for lib in (ember, torch):
        with pytest.raises(RuntimeError) as info:
            lib.load(io.BytesIO(data))
        errs.append(str(info.value))
    assert errs[0] == errs[1]
    like(ember.load(io.BytesIO(data), map_location="cpu")["x"], torch.ones(2))
    like(ember.load(io.BytesIO(data), map_location={"cuda:0": "cpu"})["x"], torch.ones(2))


# ----------------------------------------------------------------------------- ember -> torch
def ember_objects():
    x = ember.arange(24, dtype=ember.float32).reshape(4, 6)
    p = ember.nn.Parameter(ember.ones(2, 3))
    return {
        "views": {"base": x, "row": x[1], "col": x[:, 2], "t": x.t(), "strided": x[::2, 1::3],
                  "tail": x.view(-1)[7:]},
        "param": p, "frozen": ember.nn.Parameter(ember.zeros(2), requires_grad=False),
        "grad_leaf": ember.tensor([1.0, 2.0], requires_grad=True),
        "nonleaf": (p * 2).sum(dim=0),
        "flipped": ember.tensor(np.arange(6.0)[::-1]),
        "dtypes": {str(d): ember.tensor(np.array([[0, 1.5, -2], [3.25, 100, -0.5]])).to(d)
                   for d in (ember.float16, ember.float32, ember.float64, ember.int8, ember.int16, ember.int32,
                             ember.int64, ember.uint8, ember.bool, ember.complex64, ember.complex128)},
        "meta": collections.OrderedDict(size=x.shape, dtype=ember.float64, device=ember.device("cpu")),
        "plain": [1, 2.5, None, "s", (True,), {"k": b"v"}],
        "empty": ember.zeros(0, 2),
    }


def test_ember_file_loads_in_torch_weights_only(tmp_path):
    obj = ember_objects()
    path = tmp_path / "e.pt"
    ember.save(obj, path)
    got = torch.load(path, weights_only=True)
    like(obj["views"], got["views"])
    assert got["views"]["col"].untyped_storage().data_ptr() == got["views"]["base"].untyped_storage().data_ptr()
    assert got["views"]["tail"].storage_offset() == 7
    assert isinstance(got["param"], torch.nn.Parameter) and got["param"].requires_grad
    assert not got["frozen"].requires_grad and isinstance(got["frozen"], torch.nn.Parameter)
    assert got["grad_leaf"].requires_grad and got["nonleaf"].requires_grad
    assert got["flipped"].tolist() == [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    for k, v in obj["dtypes"].items():
        assert str(got["dtypes"][k].dtype) == k
        np.testing.assert_array_equal(got["dtypes"][k].numpy(), v.numpy())
    assert got["meta"] == collections.OrderedDict(size=torch.Size([4, 6]), dtype=torch.float64, device=torch.device("cpu"))
    assert got["plain"] == [1, 2.5, None, "s", (True,), {"k": b"v"}]
    assert tuple(got["empty"].shape) == (0, 2)
    # and ember reads its own file back the same
    back = ember.load(path)
    like(back["views"], got["views"])
    assert np.shares_memory(back["views"]["base"].numpy(), back["views"]["t"].numpy())


def test_ember_zip_layout_matches_torch(tmp_path):
    ember.save({"w": ember.ones(3)}, tmp_path / "net.pt")
    torch.save({"w": torch.ones(3)}, tmp_path / "ref.pt")
    with zipfile.ZipFile(tmp_path / "net.pt") as z, zipfile.ZipFile(tmp_path / "ref.pt") as r:
        names = [n.split("/", 1)[1] for n in z.namelist()]
        assert names == [n.split("/", 1)[1] for n in r.namelist()]
        assert z.namelist()[0] == "net/data.pkl"
        for rec in ("byteorder", "version", ".format_version", ".storage_alignment"):
            assert z.read("net/" + rec) == r.read("ref/" + rec)
        sid = z.read("net/.data/serialization_id")
        assert len(sid) == 40 and sid.isdigit()
        info = z.getinfo("net/data/0")
        with open(tmp_path / "net.pt", "rb") as fh:
            fh.seek(info.header_offset + 26)
            name_len, extra_len = struct.unpack("<HH", fh.read(4))
        assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0  # storages aligned as torch's


def test_ember_checkpoint_with_optimizer_round_trip(tmp_path):
    model = ember.nn.Linear(3, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(ember.ones(4, 3)).sum().backward()
    opt.step()
    ck = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 7}
    ember.save(ck, tmp_path / "ck.pt")
    got = torch.load(tmp_path / "ck.pt", weights_only=True)
    tm = torch.nn.Linear(3, 2)
    tm.load_state_dict(got["model"])
    topt = torch.optim.SGD(tm.parameters(), lr=0.1, momentum=0.9)
    topt.load_state_dict(got["optimizer"])
    assert got["epoch"] == 7
    like(ck["optimizer"]["state"][0]["momentum_buffer"], topt.state_dict()["state"][0]["momentum_buffer"])
    x = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(model(ember.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(), rtol=1e-6)


def test_ember_legacy_format_loads_in_torch(tmp_path):
    x = ember.arange(6.0).reshape(2, 3)
    ember.save({"x": x, "t": x.t(), "i": ember.tensor([1, 2])}, tmp_path / "l.pt", _use_new_zipfile_serialization=False)
    got = torch.load(tmp_path / "l.pt", weights_only=True)
    like(ember.load(tmp_path / "l.pt")["t"], got["t"])
    assert got["t"].tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]] and got["i"].dtype == torch.int64


# ----------------------------------------------------------------------------- weights_only safety
class Evil:
    """Unpickling runs a shell command that creates a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class EvalEvil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (eval, (f"open({self.marker!r}, 'w').close()",))


def malicious_checkpoint(payload) -> bytes:
    """A torch-style zip checkpoint whose data.pkl holds ``payload``'s reduce."""
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buf)
    return _rewrite(buf.getvalue(), lambda n, b: pickle.dumps({"w": payload}, protocol=2) if n.endswith("data.pkl") else b)


@pytest.mark.parametrize("kind", [Evil, EvalEvil])
def test_malicious_checkpoint_refused_and_not_executed(tmp_path, kind):
    marker = tmp_path / "PWNED"
    path = tmp_path / "evil.pt"
    path.write_bytes(malicious_checkpoint(kind(str(marker))))
    with pytest.raises(pickle.UnpicklingError) as info:
        ember.load(path)
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError) as tinfo:
        torch.load(path)
    assert not marker.exists()
    assert str(info.value) == str(tinfo.value)
    assert "system" in str(info.value) or "GLOBAL eval was not an allowed global" in str(info.value)


def test_malicious_legacy_checkpoint_refused(tmp_path):
    marker = tmp_path / "PWNED"
    f = io.BytesIO()
    for part in (S.MAGIC_NUMBER, S.PROTOCOL_VERSION, {"little_endian": True}):
        pickle.dump(part, f, protocol=2)
    pickle.dump({"w": Evil(str(marker))}, f, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="blocked"):
        ember.load(io.BytesIO(f.getvalue()))
    assert not marker.exists()


class Config:
    def __init__(self, lr):
        self.lr = lr


def test_safe_globals_allowlist(tmp_path):
    path = tmp_path / "c.pt"
    ember.save({"cfg": Config(0.5), "q": collections.deque([1, 2])}, path)
    with pytest.raises(pickle.UnpicklingError, match=r"Unsupported global: GLOBAL test_serialization.Config"):
        ember.load(path)
    with S.safe_globals([Config, collections.deque]):
        assert Config in S.get_safe_globals()
        got = ember.load(path)
    assert got["cfg"].lr == 0.5 and list(got["q"]) == [1, 2]
    assert Config not in S.get_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        ember.load(path)
    S.add_safe_globals([Config, collections.deque])
    try:
        assert ember.load(path)["cfg"].lr == 0.5
    finally:
        S.clear_safe_globals()
    assert ember.load(path, weights_only=False)["cfg"].lr == 0.5  # the explicit opt-in


def test_blocked_module_even_when_allowlisted(tmp_path):
    marker = tmp_path / "PWNED"
    data = malicious_checkpoint(Evil(str(marker)))
    with S.safe_globals([os.system]):
        with pytest.raises(pickle.UnpicklingError, match="is blocked"):
            ember.load(io.BytesIO(data))
    assert not marker.exists()


def test_weights_only_refuses_non_allowlisted_callable_via_reduce(tmp_path):
    # a pickle that REDUCEs an allowed *class* with hostile args still only builds that class
    data = malicious_checkpoint(collections.OrderedDict([("a", 1)]))
    assert ember.load(io.BytesIO(data)) == {"w": collections.OrderedDict([("a", 1)])}
    with pytest.raises(RuntimeError, match="Can not safely load weights when explicit pickle_module"):
        ember.load(io.BytesIO(data), pickle_module=pickle)


# ----------------------------------------------------------------------------- broken files
@pytest.fixture
def good_bytes():
    buf = io.BytesIO()
    torch.save({"w": torch.arange(8.0)}, buf)
    return buf.getvalue()


def test_truncated_file(good_bytes):
    for cut in (len(good_bytes) // 2, 100, len(good_bytes) - 10):
        errs = []
        for lib in (ember, torch):
            with pytest.raises(RuntimeError) as info:
                lib.load(io.BytesIO(good_bytes[:cut]))
            errs.append(str(info.value))
        assert errs[0] == errs[1] and "failed finding central directory" in errs[0]


def test_corrupted_storage_bytes(good_bytes):
    data = bytearray(good_bytes)
    pos = data.find(np.arange(8.0, dtype=np.float32).tobytes())
    data[pos + 5] ^= 0xFF
    with pytest.raises(RuntimeError, match=r"failed reading file data/0: the checkpoint is corrupted \(Bad CRC-32"):
        ember.load(io.BytesIO(bytes(data)))


def test_corrupted_pickle_and_short_storage(good_bytes):
    bad = _rewrite(good_bytes, lambda n, b: b[:-3] if n.endswith("data.pkl") else b)
    with pytest.raises(RuntimeError, match="data.pkl is truncated or corrupted"):
        ember.load(io.BytesIO(bad))
    short = _rewrite(good_bytes, lambda n, b: b[:8] if n.endswith("data/0") else b)
    with pytest.raises(RuntimeError, match="storage data/0 holds 2 elements but the checkpoint says 8"):
        ember.load(io.BytesIO(short))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good_bytes)) as zin, zipfile.ZipFile(out, "w") as zout:
        for n in zin.namelist():
            if not n.endswith("data.pkl"):
                zout.writestr(n, zin.read(n))
    with pytest.raises(RuntimeError, match="failed locating file data.pkl"):
        ember.load(io.BytesIO(out.getvalue()))


def test_wrong_format_and_empty(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"this is not a checkpoint at all")
    with pytest.raises(RuntimeError, match=r"^Invalid magic number; corrupt file\?$"):
        ember.load(tmp_path / "junk.pt")
    (tmp_path / "pickle.pt").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(RuntimeError, match=r"^Invalid magic number; corrupt file\?$"):
        ember.load(tmp_path / "pickle.pt")
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(EOFError):
        ember.load(tmp_path / "empty.pt")
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "missing.pt")


def test_bad_geometry_is_an_error_not_a_crash():
    buf = io.BytesIO()
    ember.save(ember.arange(4.0), buf)
    bad = _rewrite(buf.getvalue(), lambda n, b: b.replace(b"K\x04\x85", b"K\x40\x85") if n.endswith("data.pkl") else b)
    errs = []
    for lib in (ember, torch):
        with pytest.raises(RuntimeError) as info:
            lib.load(io.BytesIO(bad))
        errs.append(str(info.value))
    assert errs[0] == errs[1] == "Trying to resize storage that is not resizable"


# ----------------------------------------------------------------------------- safetensors
def test_safetensors_round_trip(tmp_path):
    from safetensors.torch import load_file as t_load, save_file as t_save
    from ember import safetensors as est
    x = ember.arange(6.0).reshape(2, 3)
    est.save_file({"w": x.t(), "b": ember.tensor([1, 2], dtype=ember.int32), "m": ember.tensor([True])},
                  tmp_path / "e.safetensors", metadata={"format": "pt"})
    got = t_load(tmp_path / "e.safetensors")
    like(est.load_file(tmp_path / "e.safetensors")["w"], got["w"].contiguous())
    assert got["w"].tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]] and got["b"].dtype == torch.int32
    ts = dtype_tensors()
    ts = {k: v.contiguous() for k, v in ts.items() if v.dtype not in (torch.bfloat16, torch.complex128)}
    t_save(ts, tmp_path / "t.safetensors")
    loaded = est.load_file(tmp_path / "t.safetensors")
    assert sorted(loaded) == sorted(ts)
    like({k: loaded[k] for k in ts}, ts)
    like(est.load(est.save({"z": ember.zeros(2)})), {"z": torch.zeros(2)})
    with pytest.raises(ValueError, match="expected torch.Tensor"):
        est.save({"z": [1.0]})


def test_safetensors_missing_package_message(monkeypatch):
    from ember import safetensors as est
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match="needs the 'safetensors' package"):
        est.save({"z": ember.zeros(2)})
