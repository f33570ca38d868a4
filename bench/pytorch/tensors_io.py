"""Reading and writing .safetensors files as dicts of torch tensors.

Uses the `safetensors` package when it is installed (the GPU machine has it) and otherwise a
small reader/writer of the same format (8-byte little-endian header length, JSON header,
raw little-endian data), so the scripts also run where only torch and numpy are present.
"""
import json
import struct

import numpy as np
import torch

try:  # pragma: no cover - depends on the machine
    from safetensors.torch import load_file as _st_load, save_file as _st_save
except ImportError:  # pragma: no cover
    _st_load = _st_save = None

_DTYPES = {
    "F64": (np.float64, torch.float64),
    "F32": (np.float32, torch.float32),
    "F16": (np.float16, torch.float16),
    "I64": (np.int64, torch.int64),
    "I32": (np.int32, torch.int32),
    "U8": (np.uint8, torch.uint8),
}
_NAME_OF = {t: name for name, (_, t) in _DTYPES.items()}


def load_tensors(path):
    """path → {name: tensor} on the CPU (metadata is dropped)."""
    if _st_load is not None:
        return _st_load(path)
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}, which this reader does not know")
        np_dtype, _ = _DTYPES[info["dtype"]]
        start, end = info["data_offsets"]
        arr = np.frombuffer(data[start:end], dtype=np.dtype(np_dtype).newbyteorder("<"))
        out[name] = torch.from_numpy(arr.copy().reshape(info["shape"]))
    return out


def save_tensors(tensors, path, metadata=None):
    """{name: tensor} → path, contiguous CPU copies; metadata is a {str: str} dict."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    if _st_save is not None:
        _st_save(tensors, path, metadata=metadata)
        return
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name]
        buf = t.numpy().astype(np.dtype(t.numpy().dtype).newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _NAME_OF[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(buf)]}
        chunks.append(buf)
        offset += len(buf)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)  # the format pads the header to a multiple of 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for c in chunks:
            f.write(c)
