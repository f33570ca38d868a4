"""Checks the lab's `npm run forward` against the same forward and backward in PyTorch.

  python3 bench/pytorch/check_forward.py --config cfg.json --weights w.safetensors \
      --inputs in.safetensors --lab lab.safetensors [--dtype f64] [--tol 1e-3] [--out torch.safetensors]

Loads the weights into the PyTorch model with strict=True (the names must be the lab's),
runs inputs (B, T, d) through it, takes the lab's loss (masked MSE, or masked logistic for
sparse_parity: Σ mask·err / Σ mask), backpropagates, and prints for predictions, loss and
every grad.<name> the max abs error and the error relative to the tensor's largest entry.
Exits 1 when any relative error is above --tol (or, for an all-zero reference, any abs error
above --atol), 0 otherwise. Without --lab it only writes PyTorch's results (--out) in the
lab's format (predictions, loss, grad.<name>).
Legend: B batch, T tokens, d token width, O read-out width.
"""
import argparse
import sys

import torch
import torch.nn.functional as F

from lab_config import load_config, loss_kind, tokens_for
from models import build_model
from tensors_io import load_tensors, save_tensors

DTYPES = {"f64": torch.float64, "f32": torch.float32}


def model_for(cfg, weights, dtype, device, scan):
    """The config's model, shaped by the weights (positions' rows, read-out width), loaded strictly."""
    d = weights["_read_in.weight"].shape[1]
    O = weights["_read_out.weight"].shape[0]
    wpe = [v for k, v in weights.items() if k.endswith("wpe.weight")]
    max_t = wpe[0].shape[0] if wpe else tokens_for(cfg["task"], cfg["nPoints"])
    # the sdpa kernels do not all take f64; the written-out attention is the definition anyway
    model = build_model(cfg["model"], cfg["size"], d, O, max_t, scan=scan, sdpa=False)
    try:
        model.load_state_dict(weights, strict=True)
    except RuntimeError as err:
        sys.exit(f"the weights do not load into {cfg['model']}/{cfg['size']}: {err}")
    return model.to(device=device, dtype=dtype)


def masked_loss(pred, targets, mask, kind):
    """Σ mask·err / Σ mask with err the squared error, or softplus(−target·pred) for parity."""
    err = F.softplus(-targets * pred) if kind == "logistic" else (pred - targets) ** 2
    return (err * mask).sum() / mask.sum()


def run_torch(model, batch, kind):
    """Forward and backward; returns {predictions, loss, grad.<name>} as in `npm run forward`."""
    mask = batch.get("mask", torch.ones_like(batch["targets"]))
    pred = model(batch["inputs"])  # (B, T, O)
    loss = masked_loss(pred, batch["targets"], mask, kind)
    loss.backward()
    out = {"predictions": pred.detach(), "loss": loss.detach().reshape(1)}
    for name, p in model.named_parameters():
        out[f"grad.{name}"] = p.grad.detach() if p.grad is not None else torch.zeros_like(p)
    return out


def compare(ours, lab, tol, atol):
    """Prints one row per tensor; returns the names that fail the tolerance."""
    failed = []
    print(f"{'tensor':58} {'max |err|':>11} {'max |ref|':>11} {'rel':>10}")
    for name, ref in ours.items():
        if name not in lab:
            print(f"{name:58} missing from the lab's output")
            failed.append(name)
            continue
        got = lab[name].to(torch.float64).reshape(ref.shape)
        ref = ref.to(torch.float64).cpu()
        err = (got - ref).abs().max().item()
        scale = ref.abs().max().item()
        rel = err / scale if scale > 0 else float("nan")
        bad = not (rel <= tol) if scale > 0 else err > atol
        print(f"{name:58} {err:11.3e} {scale:11.3e} {rel:10.2e}{'  FAIL' if bad else ''}")
        if bad:
            failed.append(name)
    return failed


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True, help="lab run config or run file (JSON)")
    p.add_argument("--weights", required=True)
    p.add_argument("--inputs", required=True, help="inputs (B, T, d), targets (B, T, O), mask")
    p.add_argument("--lab", help="the lab's `npm run forward` output to compare with")
    p.add_argument("--out", help="write PyTorch's predictions, loss and grads here")
    p.add_argument("--dtype", choices=sorted(DTYPES), default="f64")
    p.add_argument("--device", default="cpu")
    p.add_argument("--scan", choices=["parallel", "sequential"], default="sequential")
    # The lab computes in f32 through up to 24 blocks; against an f64 reference its errors
    # relative to each tensor's largest entry are ~1e-6 … 1e-4, so 1e-3 flags real bugs only.
    p.add_argument("--tol", type=float, default=1e-3, help="max error / max |reference| per tensor")
    p.add_argument("--atol", type=float, default=1e-6, help="max abs error where the reference is all zero")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config)
    dtype, device = DTYPES[args.dtype], torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    model = model_for(cfg, load_tensors(args.weights), dtype, device, args.scan)
    batch = {k: v.to(device=device, dtype=dtype) for k, v in load_tensors(args.inputs).items()}
    ours = run_torch(model, batch, loss_kind(cfg["task"]))
    print(f"{cfg['model']}/{cfg['size']} on {cfg['task']}: batch {tuple(batch['inputs'].shape)}, {args.dtype}, loss {ours['loss'].item():.6g}")
    if args.out:
        save_tensors({k: v.float() for k, v in ours.items()}, args.out, metadata={"loss": str(ours["loss"].item())})
    if not args.lab:
        return 0
    failed = compare(ours, load_tensors(args.lab), args.tol, args.atol)
    if failed:
        print(f"{len(failed)} tensor(s) above tolerance (rel {args.tol:g}): {', '.join(failed[:5])}{' …' if len(failed) > 5 else ''}")
        return 1
    print(f"all {len(ours)} tensors within rel {args.tol:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
