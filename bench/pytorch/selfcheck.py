"""Self-check of the PyTorch side, CPU, a few seconds: the two selective scans agree (values
and gradients, f64), the parallel scan's hand-written backward passes gradcheck, and each
family's state_dict has the lab's names. Exits non-zero on a failure.

  python3 bench/pytorch/selfcheck.py
"""
import sys

import torch

from models import MODELS, build_model, size_spec
from scan import LinearRecurrence, selective_scan


def scans_agree(B=2, L=37, E=5, N=4):
    """Sequential vs parallel selective scan, gated, f64: max difference of out and grads."""
    g = lambda *s: torch.randn(*s, dtype=torch.float64)
    inputs = [g(B, L, E), torch.nn.functional.softplus(g(B, L, E)), torch.log(torch.arange(1, N + 1, dtype=torch.float64)).repeat(E, 1), g(B, L, N), g(B, L, N), g(E), g(B, L, E)]
    inputs = [t.requires_grad_() for t in inputs]
    dout = g(B, L, E)  # (B, L, E)
    results = []
    for impl in ("sequential", "parallel"):
        out = selective_scan(*inputs, impl=impl)
        grads = torch.autograd.grad(out, inputs, dout)
        results.append([out.detach(), *grads])
    return max((a - b).abs().max().item() for a, b in zip(*results))


def expected_names(model, layers):
    """A few names the lab declares (src/nn/models.ts), as a spot check of the layout."""
    if model == "transformer":
        return ["_backbone.wpe.weight", f"_backbone.h.{layers - 1}.attn.c_attn.weight", "_backbone.h.0.mlp.c_proj.bias", "_backbone.ln_f.weight"]
    mamba = lambda i: [f"_backbone.layers.{i}.mixer.{n}" for n in ("in_proj.weight", "conv1d.weight", "conv1d.bias", "x_proj.weight", "dt_proj.weight", "dt_proj.bias", "A_log", "D", "out_proj.weight")]
    attn = lambda i: [f"_backbone.layers.{i}.mixer.{n}" for n in ("c_attn.weight", "c_attn.bias", "c_proj.weight", "c_proj.bias")]
    if model == "mamba":
        names = mamba(0) + mamba(layers - 1)
    elif model == "mambaformer":  # M, A, M, …, M: n + 1 blocks
        names = mamba(0) + attn(1) + mamba(2) + mamba(layers)
    else:  # standard hybrid: A, M, …
        names = attn(0) + mamba(1) + ["wpe.weight"]
    return names + ["_backbone.layers.0.norm.weight", "_backbone.norm_f.bias"]


def main():
    torch.manual_seed(0)
    failures = []
    diff = scans_agree()
    print(f"scan sequential vs parallel (f64): max diff {diff:.2e}")
    if diff > 1e-10:
        failures.append("scans disagree")
    a = torch.rand(2, 9, 3, dtype=torch.float64, requires_grad=True)
    b = torch.randn(2, 9, 3, dtype=torch.float64, requires_grad=True)
    if not torch.autograd.gradcheck(LinearRecurrence.apply, (a, b)):
        failures.append("parallel scan backward")
    for model in MODELS:
        m = build_model(model, "tiny", 20, 1, 82)
        keys = set(m.state_dict())
        layers = size_spec(model, "tiny")[0]
        missing = [n for n in expected_names(model, layers) + ["_read_in.weight", "_read_out.bias"] if n not in keys]
        extra = [k for k in keys if not k.startswith(("_read_in.", "_backbone.", "_read_out.", "wpe."))]
        print(f"{model:16} {sum(p.numel() for p in m.parameters()):8d} parameters, {len(keys)} tensors{'' if not (missing or extra) else f'; missing {missing}, unexpected {extra}'}")
        if missing or extra:
            failures.append(f"{model} names")
    print("ok" if not failures else f"FAILED: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
