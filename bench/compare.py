#!/usr/bin/env python3
"""Pairs the lab's benchmark results with PyTorch's and prints a markdown table of ratios.

  python3 bench/compare.py ours.jsonl pytorch.jsonl [--alias ourName=torchName …]

ours.jsonl:    `node dist-cli/cli.mjs bench --json` (one result per line; shape an object)
pytorch.jsonl: `python3 bench/pytorch/bench_step.py` (shape a string such as "4096x4096x4096")

Pairing: a lab result pairs with a PyTorch result of the same name (after ALIASES), or whose
name is a prefix of the lab's followed by a variant (`matmulTiled` → `matmul`;
`scan_fwd_bwd_parallel` → `scan/parallel` → `scan`, impl parallel), and of the same shape (the same dims in
order; or PyTorch's dims a prefix of the lab's, which may add e.g. params). Every PyTorch impl
(eager, compile; parallel, sequential) of a pair gets a row.

Convention: ratio = our time / PyTorch's time for the same work; for rates (GFLOP/s, GB/s)
that is PyTorch's rate / ours. Below 1 the lab is faster, above 1 PyTorch is.
Uses only the standard library.
"""
import argparse
import json
import math
import re
import sys

# the lab's names for cases measured the same way as PyTorch's (attention_fwd, forward only, has none)
ALIASES = {"attention_fwd_bwd": "attention", "scan_fwd_bwd_": "scan/"}


def read_jsonl(path):
    """Every line that parses as a JSON object with a name; other lines (logs) are skipped."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(r, dict) and "name" in r:
                out.append(r)
    return out


def dims(shape):
    """A result's shape as a tuple of ints: {"M": 5248, "K": 64, "N": 256} or "5248x64x256"."""
    if isinstance(shape, dict):
        return tuple(int(v) for v in shape.values() if isinstance(v, (int, float)))
    if isinstance(shape, (list, tuple)):
        return tuple(int(v) for v in shape)
    return tuple(int(v) for v in re.findall(r"\d+", str(shape or "")))


def shape_text(shape):
    if isinstance(shape, dict):
        return " ".join(f"{k}={v}" for k, v in shape.items())
    return str(shape)


def family_of(name, torch_names, aliases):
    """The PyTorch name a lab result pairs with, or None."""
    for ours, theirs in sorted(aliases.items(), key=lambda kv: -len(kv[0])):
        if name == ours or name.startswith(ours):
            name = theirs + name[len(ours) :]
            break
    best = None
    for t in torch_names:
        if name == t:
            return t
        # a prefix followed by a variant: an upper-case letter or a separator, not a longer word
        if name.startswith(t) and (name[len(t)].isupper() or name[len(t)] == "/") and (best is None or len(t) > len(best)):
            best = t
    return best


def is_rate(unit):
    return "/s" in unit and not unit.startswith(("step", "it", "call"))


def as_ms(r):
    """A result's time per call in ms where its unit allows it (ms, s, µs, steps/s), else None."""
    unit, x = r.get("unit", ""), r.get("median")
    if x is None:
        return None
    if unit == "ms":
        return x
    if unit == "s":
        return x * 1e3
    if unit in ("us", "µs"):
        return x * 1e-3
    if unit in ("steps/s", "step/s", "it/s", "calls/s") and x > 0:
        return 1e3 / x
    for key in ("median_ms", "ms", "time_ms"):  # a rate that also carries its time
        if isinstance(r.get("extra", {}).get(key), (int, float)):
            return r["extra"][key]
    return None


def ratio(ours, theirs):
    """our time / PyTorch time (see the module docstring), or None when not comparable."""
    if ours.get("median") is None or theirs.get("median") is None:
        return None
    if ours["unit"] == theirs["unit"] and is_rate(ours["unit"]):
        return theirs["median"] / ours["median"] if ours["median"] > 0 else None
    a, b = as_ms(ours), as_ms(theirs)
    return a / b if a is not None and b else None


def candidates(ours, torch_results, family):
    """PyTorch results of `family` with the lab result's shape: the same dims in order, or
    PyTorch's dims a prefix of ours (the lab adds e.g. params). A lab name that names a
    PyTorch impl (scan/parallel) pairs with that impl only."""
    same = [t for t in torch_results if t["name"] == family]
    named = [t for t in same if t.get("impl") and t["impl"] in ours["name"][len(family) :]]
    same = named or same
    d = dims(ours.get("shape"))
    exact = [t for t in same if dims(t.get("shape")) == d]
    return exact or [t for t in same if d[: len(dims(t.get("shape")))] == dims(t.get("shape"))]


def fmt(x, unit=""):
    if x is None:
        return "—"
    s = f"{x:.0f}" if abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 10 else f"{x:.3g}"
    return f"{s} {unit}".strip()


def our_label(r):
    extra = r.get("extra") or {}
    variant = extra.get("variant") or extra.get("label")
    return f"{r['name']} ({variant})" if variant and str(variant) not in r["name"] else r["name"]


def table(ours_results, torch_results, aliases):
    """Markdown rows for every pair; returns (lines, ratios by impl, unpaired lab results)."""
    torch_names = sorted({t["name"] for t in torch_results}, key=len, reverse=True)
    lines = [
        "| case | shape | ours | PyTorch impl | PyTorch | ratio (ours/PyTorch time; < 1: lab faster) |",
        "|---|---|---:|---|---:|---:|",
    ]
    by_impl, unpaired, used = {}, [], set()
    for o in ours_results:
        family = family_of(o["name"], torch_names, aliases)
        hits = candidates(o, torch_results, family) if family else []
        if not hits:
            unpaired.append(o)
            continue
        for t in hits:
            used.add(id(t))
            r = ratio(o, t)
            theirs = fmt(t.get("median"), t.get("unit", "")) if t.get("median") is not None else f"failed: {t.get('error', '?')[:60]}"
            lines.append(f"| {our_label(o)} | {shape_text(o.get('shape'))} | {fmt(o.get('median'), o.get('unit', ''))} | {t.get('impl', '?')} | {theirs} | {fmt(r)}{'' if r is None else ' ×'} |")
            if r is not None and o["name"].startswith("step/"):
                by_impl.setdefault(t.get("impl", "?"), []).append(r)
    torch_unpaired = [t for t in torch_results if id(t) not in used]
    return lines, by_impl, unpaired, torch_unpaired


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def adapters(results):
    return sorted({r.get("adapter", "?") for r in results})


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("ours", help="the lab's JSON lines (bench --json)")
    p.add_argument("pytorch", help="bench_step.py's JSON lines")
    p.add_argument("--alias", action="append", default=[], help="ourName=torchName, to pair names the rules miss")
    args = p.parse_args(argv)
    aliases = dict(ALIASES, **dict(a.split("=", 1) for a in args.alias))
    ours, theirs = read_jsonl(args.ours), read_jsonl(args.pytorch)
    if not ours or not theirs:
        sys.exit(f"compare.py: no results in {args.ours if not ours else args.pytorch}")
    lines, by_impl, unpaired, torch_unpaired = table(ours, theirs, aliases)
    print(f"Lab: {', '.join(adapters(ours))}  \nPyTorch: {', '.join(adapters(theirs))}\n")
    print("Ratio = our time / PyTorch's time for the same work (for GFLOP/s: PyTorch's rate / ours): below 1 the lab is faster.\n")
    print("\n".join(lines))
    if by_impl:
        summary = ", ".join(f"vs {impl} {geomean(rs):.3g} × over {len(rs)}" for impl, rs in sorted(by_impl.items()))
        print(f"\nTraining steps, geometric mean of the ratios: {summary}.")
    if unpaired:
        print(f"\nLab results with no PyTorch counterpart: {', '.join(sorted({our_label(o) + ' [' + shape_text(o.get('shape')) + ']' for o in unpaired}))}.")
    if torch_unpaired:
        print(f"\nPyTorch results with no lab counterpart: {', '.join(sorted({t['name'] + ' [' + str(t.get('shape')) + ']' for t in torch_unpaired}))}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
