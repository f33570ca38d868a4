"""Writes the official-layout fixtures that tests/gpu/officialFixtures.test.ts loads into the lab:
for each family, a very small model built here with the official module names, shapes and
block order (models.py), its state_dict, a fixed batch and the model's read-out at every token.

  python3 bench/pytorch/make_fixtures.py [--out tests/fixtures/official]

writes, per family (transformer, mamba, mambaformer, standard_hybrid):
  <family>.safetensors  the state_dict (f32, official names; the mixer families also carry the
                        MixerModel's unused token embedding `_backbone.embedding.weight`, as an
                        official state_dict does), plus `inputs` (B, T, d) and `predictions`
                        (B, T, O), the read-out computed in float64 from the stored f32 weights
  <family>.json         what the lab builds the model from (layers, dim, heads, nDims, outDim,
                        maxTokens, nPositions) and the batch's shape
It checks itself before writing (names and block order, paper MambaFormer's count, f32 vs f64,
causality) and after (a reload gives the same predictions), and exits 1 on any failure.
CPU only, a few seconds; torch ≥ 1.13, numpy; the `safetensors` package if present.
Legend: B batch, T tokens, d token width, C model width, O read-out width.
"""
import argparse
import copy
import json
import os
import sys

import torch

from models import MODELS, build_model, mixer_kinds
from tensors_io import load_tensors, save_tensors

SEED = 20240601
B, T, D_IN, OUT = 2, 8, 5, 1  # batch, tokens, d, O
N_POSITIONS = 10  # GPT-2's wpe has 20 rows, the hybrid's 10: both keep rows the prompt does not use
LAYERS = 2  # n = 2: MambaFormer builds M, A, M
# (C, heads): the hybrids' attention has the official 8 heads, and the lab's attention kernel
# takes head widths that are multiples of 4, so their C is 32
SPEC = {"transformer": (16, 2), "mamba": (16, 8), "mambaformer": (32, 8), "standard_hybrid": (32, 8)}
NOISE = 0.1  # added to every parameter, so that zero biases and unit LayerNorms also show a mix-up


def build(family):
    """The family's fixture model, seeded, with every parameter perturbed."""
    torch.manual_seed(SEED + MODELS.index(family))
    model = build_model(family, (LAYERS, *SPEC[family]), D_IN, OUT, T, N_POSITIONS, scan="sequential", sdpa=False)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(NOISE * torch.randn_like(p))
    return model


def predict(model, inputs, dtype):
    """Read-out at every token (B, T, O) with weights and inputs cast to dtype."""
    with torch.no_grad():
        return copy.deepcopy(model).to(dtype)(inputs.to(dtype)).to(torch.float64)


def expected_blocks(family):
    """'M' or 'A' per `_backbone.layers.i`, as mixed_attn builds them, written out by hand."""
    return {"mamba": "MM", "mambaformer": "MAM", "standard_hybrid": "AM"}[family]


def check_layout(family, sd):
    """Names and shapes of the official layout; returns a list of problems."""
    problems = []
    C = SPEC[family][0]
    if family == "transformer":
        want = {"_backbone.wpe.weight": (2 * N_POSITIONS, C), "_backbone.h.0.attn.c_attn.weight": (C, 3 * C), "_backbone.h.1.mlp.c_proj.weight": (4 * C, C), "_backbone.ln_f.bias": (C,)}
    else:
        want = {"_backbone.norm_f.weight": (C,)}
        blocks = "".join("M" if f"_backbone.layers.{i}.mixer.A_log" in sd else "A" if f"_backbone.layers.{i}.mixer.c_attn.weight" in sd else "?" for i in range(LAYERS + 2))
        if blocks.rstrip("?") != expected_blocks(family):
            problems.append(f"blocks {blocks.rstrip('?')}, expected {expected_blocks(family)}")
        i = expected_blocks(family).index("M")
        want[f"_backbone.layers.{i}.mixer.in_proj.weight"] = (4 * C, C)
        want[f"_backbone.layers.{i}.mixer.out_proj.weight"] = (C, 2 * C)
        if "A" in expected_blocks(family):
            j = expected_blocks(family).index("A")
            want[f"_backbone.layers.{j}.mixer.c_attn.weight"] = (3 * C, C)
            want[f"_backbone.layers.{j}.mixer.c_proj.bias"] = (C,)
        if family == "standard_hybrid":
            want["wpe.weight"] = (N_POSITIONS, C)
    want.update({"_read_in.weight": (C, D_IN), "_read_out.weight": (OUT, C)})
    for name, shape in want.items():
        got = tuple(sd[name].shape) if name in sd else None
        if got != shape:
            problems.append(f"{name}: {got}, expected {shape}")
    return problems


def check_paper_count():
    """SPEC.md: the paper MambaFormer (n = 24, D 256, d 20, scalar read-out) has 8,867,841 parameters."""
    m = build_model("mambaformer", "paper", 20, 1, 82)
    n = sum(p.numel() for p in m.parameters())
    kinds = mixer_kinds("mambaformer", 24)
    ok = n == 8_867_841 and len(kinds) == 25 and kinds.count("mamba") == 13
    return [] if ok else [f"paper MambaFormer: {n} parameters in {len(kinds)} blocks ({kinds.count('mamba')} Mamba)"]


def make(family, out_dir):
    """Builds, checks and writes one family's fixture; returns a list of problems."""
    model = build(family)
    gen = torch.Generator().manual_seed(SEED)
    inputs = torch.randn(B, T, D_IN, generator=gen)  # (B, T, d), f32
    ref = predict(model, inputs, torch.float64)  # (B, T, O)
    f32 = predict(model, inputs, torch.float32)
    sd = {k: v.to(torch.float32) for k, v in model.state_dict().items()}
    problems = check_layout(family, sd)
    rel = ((f32 - ref).abs().max() / ref.abs().max()).item()
    if not rel < 1e-6:  # the lab's test allows 1e-5: an f32 forward must reach it with room
        problems.append(f"f32 vs f64 predictions differ by {rel:.1e} (relative)")
    later = inputs.clone()
    later[:, -1] += 1.0
    if not torch.equal(predict(model, later, torch.float64)[:, :-1], ref[:, :-1]):
        problems.append("not causal: the last token changed earlier predictions")

    tensors = dict(sd)
    if family != "transformer":  # MixerModel's nn.Embedding(vocab_size=1, C), unused with inputs_embeds
        tensors["_backbone.embedding.weight"] = torch.randn(1, SPEC[family][0], generator=gen)
    tensors["inputs"] = inputs
    tensors["predictions"] = ref.to(torch.float32)
    path = os.path.join(out_dir, f"{family}.safetensors")
    save_tensors(tensors, path, metadata={"format": "pt", "made_by": "bench/pytorch/make_fixtures.py", "torch": torch.__version__})
    config = {"model": family, "layers": LAYERS, "dim": SPEC[family][0], "heads": SPEC[family][1], "nDims": D_IN, "outDim": OUT, "maxTokens": T, "nPositions": N_POSITIONS, "batch": B, "tokens": T, "seed": SEED}
    with open(os.path.join(out_dir, f"{family}.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")

    back = load_tensors(path)  # the file as written: reload strictly and predict again
    fresh = build_model(family, (LAYERS, *SPEC[family]), D_IN, OUT, T, N_POSITIONS, scan="sequential", sdpa=False)
    fresh.load_state_dict({k: v for k, v in back.items() if k in sd}, strict=True)
    if not torch.equal(predict(fresh, back["inputs"], torch.float64).to(torch.float32), back["predictions"]):
        problems.append("reloaded file predicts differently")
    print(f"{family:16} {sum(p.numel() for p in model.parameters()):6d} parameters, f32 vs f64 {rel:.1e}, {os.path.getsize(path):7d} bytes → {path}")
    return problems


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join("tests", "fixtures", "official"), help="output folder (default: %(default)s)")
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)  # the same sums in the same order on any machine
    problems = check_paper_count()
    for family in MODELS:
        problems += [f"{family}: {x}" for x in make(family, args.out)]
    print("ok" if not problems else "FAILED:\n  " + "\n  ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
