"""Writes what a lab ↔ PyTorch round trip needs for one config: random weights initialised as
the official code does (official names and positional rows), and a random batch (inputs,
targets, mask).

  python3 bench/pytorch/make_inputs.py --config cfg.json --weights w.safetensors \
      --inputs in.safetensors [--batch 4] [--tokens T] [--seed 0]
  python3 bench/pytorch/make_inputs.py --model mamba --size tiny --write-config cfg.json ...

Then `npm run forward -- --config cfg.json --weights w.safetensors --inputs in.safetensors
--out lab.safetensors` and `python3 bench/pytorch/check_forward.py …` compare the two.
Legend: B batch, T tokens, d token width, O read-out width.
"""
import argparse
import json

import torch

from lab_config import N_POSITIONS, TASK_DEFAULTS, load_config, out_dim, tokens_for
from models import MODELS, build_model
from tensors_io import save_tensors


def random_batch(B, T, d, O, task, gen):
    """inputs (B, T, d) ~ N(0, 1); targets (B, T, O) ~ N(0, 1) (±1 for parity); mask (B, T, O)
    on the x tokens (even positions), as the function-learning tasks score them."""
    inputs = torch.randn(B, T, d, generator=gen)
    targets = torch.randn(B, T, O, generator=gen)
    if task == "sparse_parity":
        targets = targets.sign()
    mask = torch.zeros(B, T, O)
    mask[:, 0::2] = 1
    return {"inputs": inputs, "targets": targets, "mask": mask}


def config_from_args(args):
    """The config file given, or one written from --model/--size/--task."""
    if args.config:
        return load_config(args.config)
    d, n = TASK_DEFAULTS[args.task]
    cfg = {"task": args.task, "model": args.model, "size": args.size, "seed": args.seed, "nDims": d, "nPoints": n}
    if args.write_config:
        with open(args.write_config, "w") as f:
            json.dump(cfg, f, indent=2)
    return cfg


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", help="lab run config or run file (JSON)")
    p.add_argument("--model", choices=MODELS, default="transformer")
    p.add_argument("--size", choices=["tiny", "small", "paper"], default="tiny")
    p.add_argument("--task", choices=sorted(TASK_DEFAULTS), default="linear_regression")
    p.add_argument("--write-config", help="without --config: write the config used here")
    p.add_argument("--weights", required=True, help="output: model weights .safetensors")
    p.add_argument("--inputs", required=True, help="output: inputs/targets/mask .safetensors")
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--tokens", type=int, help="T (default: the config's full prompt)")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not args.config and not args.write_config:
        print("make_inputs.py: no --config; pass --write-config cfg.json to get one for `npm run forward`")
    cfg = config_from_args(args)
    d, O = cfg["nDims"], out_dim(cfg["task"], cfg["nDims"])
    max_t = tokens_for(cfg["task"], cfg["nPoints"])
    T = args.tokens or max_t
    torch.manual_seed(args.seed)
    model = build_model(cfg["model"], cfg["size"], d, O, max(T, max_t), N_POSITIONS[cfg["task"]])
    save_tensors(model.state_dict(), args.weights, metadata={"format": "pt"})
    gen = torch.Generator().manual_seed(args.seed + 1)
    save_tensors(random_batch(args.batch, T, d, O, cfg["task"], gen), args.inputs)
    n = sum(p.numel() for p in model.parameters())
    print(f"{cfg['model']}/{cfg['size']}: {n} parameters → {args.weights}; batch ({args.batch}, {T}, {d}) → {args.inputs}")


if __name__ == "__main__":
    main()
