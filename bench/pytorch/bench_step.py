"""PyTorch side of `npm run bench`: the same cases on the same GPU, one JSON line per case.

Cases (names pair with the lab's, see bench/compare.py):
  matmul             torch.matmul GFLOP/s at 256², 1024², 4096² and the MLP's 5248 × C × 4C
  attention          causal softmax attention fwd+bwd (eager SDPA, is_causal), ms
  scan               selective scan fwd+bwd, plain-PyTorch parallel and sequential, ms
  step/<model>/<size> a full training step (forward, masked MSE, backward, clip 10, Adam), ms,
                     eager and under torch.compile where it compiles

f32 with TF32 off everywhere (the lab computes in f32). Each case: warm-up, then many timed
calls (CUDA events on the GPU), reporting the median and [min, max].

  python3 bench/pytorch/bench_step.py [--device cuda|cpu] [--quick] [--only matmul,step/mamba]
                                      [--no-compile] [--out results.jsonl]

Legend: B batch, T tokens, C model width, H heads, L scan length, E channels, N state size.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

from models import MODELS, build_model, causal_attention, size_spec
from scan import SCAN_IMPLS, selective_scan

BATCH, N_DIMS, N_POINTS = 64, 20, 41  # linear regression, as the lab's step benchmark
TOKENS = 2 * N_POINTS  # 82: interleaved x, y
LR, BETAS, EPS, CLIP = 1e-4, (0.9, 0.999), 1e-8, 10.0


# ---- timing -------------------------------------------------------------------------------


class Timer:
    """Times a callable per call: CUDA events on a GPU, perf_counter on the CPU."""

    def __init__(self, device):
        self.cuda = device.type == "cuda"

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()

    def samples(self, fn, warmup, reps):
        """Runs fn warmup times, then reps timed times; returns the per-call times in ms."""
        for _ in range(warmup):
            fn()
        self.sync()
        out = []
        for _ in range(reps):
            if self.cuda:
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                fn()
                end.record()
                end.synchronize()
                out.append(start.elapsed_time(end))
            else:
                t0 = time.perf_counter()
                fn()
                out.append((time.perf_counter() - t0) * 1e3)
        return out


def result(name, shape, ms, unit, impl, adapter, work=None, **extra):
    """One JSON-ready result. ms: per-call samples; with `work` (FLOPs) the unit is a rate."""
    if work is None:
        median, spread = statistics.median(ms), [min(ms), max(ms)]
    else:
        rate = lambda t: work / (t * 1e-3) / 1e9
        median, spread = rate(statistics.median(ms)), [rate(max(ms)), rate(min(ms))]
    r = {"name": name, "shape": shape, "median": median, "spread": spread, "unit": unit, "adapter": adapter, "impl": impl}
    if extra:
        r["extra"] = extra
    return r


def failure(name, shape, unit, impl, adapter, err):
    """A case that could not run (e.g. torch.compile failed): median null, the error kept."""
    msg = f"{type(err).__name__}: {err}".splitlines()[0][:300]
    return {"name": name, "shape": shape, "median": None, "spread": None, "unit": unit, "adapter": adapter, "impl": impl, "error": msg}


# ---- cases --------------------------------------------------------------------------------


def matmul_shapes(quick):
    """(M, K, N, transposed A, transposed B): squares, and the Transformer MLP's up-projection at
    B·T = 64·82 rows (x (rows, C) · W (C, 4C)) with its weight gradient (xᵀ (C, rows) · dy
    (rows, 4C)) and its input gradient (dy (rows, 4C) · Wᵀ (4C, C))."""
    rows, widths = (4 * TOKENS, [64]) if quick else (BATCH * TOKENS, [64, 128, 256])  # 328 or 5248
    squares = [64, 128, 256] if quick else [256, 1024, 4096]  # the lab's shapes, --quick too
    mlp = [s for C in widths for s in ((rows, C, 4 * C, False, False), (C, rows, 4 * C, True, False), (rows, 4 * C, C, False, True))]
    return [(n, n, n, False, False) for n in squares] + mlp


def bench_matmul(ctx):
    out = []
    for M, K, N, trans_a, trans_b in matmul_shapes(ctx.quick):
        a = torch.randn(K, M, device=ctx.device).t() if trans_a else torch.randn(M, K, device=ctx.device)  # (M, K)
        b = torch.randn(N, K, device=ctx.device).t() if trans_b else torch.randn(K, N, device=ctx.device)  # (K, N)
        reps = 5 if ctx.quick else max(20, min(500, int(2e11 / (2 * M * K * N))))
        ms = ctx.timer.samples(lambda: torch.matmul(a, b), warmup=3 if ctx.quick else 10, reps=reps)
        extra = {**({"transA": True} if trans_a else {}), **({"transB": True} if trans_b else {})}
        out.append(result("matmul", f"{M}x{K}x{N}", ms, "GFLOP/s", "eager", ctx.adapter, work=2 * M * K * N, **extra))
        if not trans_a and not trans_b and M != K:
            # the up-projection as GPT-2 runs it: bias and tanh-GELU after the product (the lab
            # fuses them into the product's epilogue: its matmul_gelu rows)
            bias = torch.randn(N, device=ctx.device)
            gelu = lambda: torch.nn.functional.gelu(torch.addmm(bias, a, b), approximate="tanh")  # noqa: E731
            ms = ctx.timer.samples(gelu, warmup=3 if ctx.quick else 10, reps=reps)
            out.append(result("matmul_gelu", f"{M}x{K}x{N}", ms, "GFLOP/s", "eager", ctx.adapter, work=2 * M * K * N))
    return out


def bench_attention(ctx):
    """qkv (B, T, 3C) → causal attention (B, T, C), forward and backward."""
    cases = [(2, 17, 64, 2), (2, 40, 64, 2)] if ctx.quick else [(BATCH, 82, 256, 8), (BATCH, 281, 256, 8)]
    out = []
    for B, T, C, H in cases:
        qkv = torch.randn(B, T, 3 * C, device=ctx.device, requires_grad=True)  # (B, T, 3C)
        dout = torch.randn(B, T, C, device=ctx.device)  # (B, T, C)

        def fwd_bwd():
            qkv.grad = None
            causal_attention(qkv, H, sdpa=True).backward(dout)

        ms = ctx.timer.samples(fwd_bwd, warmup=3 if ctx.quick else 10, reps=5 if ctx.quick else 100)
        out.append(result("attention", f"{B}x{T}x{C}x{H}", ms, "ms", "eager", ctx.adapter, sdpa=hasattr(torch.nn.functional, "scaled_dot_product_attention")))
    return out


def scan_inputs(B, L, E, N, device):
    """Random inputs in the ranges a trained Mamba sees: Δ ≈ softplus of N(−3, 1)."""
    g = lambda *s: torch.randn(*s, device=device)
    u, z = g(B, L, E), g(B, L, E)  # (B, L, E)
    delta = torch.nn.functional.softplus(g(B, L, E) - 3)  # (B, L, E)
    A_log = torch.log(torch.arange(1, N + 1, dtype=torch.float32, device=device)).repeat(E, 1)  # (E, N)
    Bm, Cm = g(B, L, N), g(B, L, N)  # (B, L, N)
    D = torch.ones(E, device=device)  # (E)
    return [t.requires_grad_() for t in (u, delta, A_log, Bm, Cm, D, z)]


def bench_scan(ctx):
    """Gated selective scan (as inside the Mamba mixer), forward and backward."""
    cases = [(2, 82, 64, 16), (1, 130, 32, 16)] if ctx.quick else [(BATCH, 82, 512, 16), (BATCH, 1024, 512, 16)]
    out = []
    for B, L, E, N in cases:
        inputs = scan_inputs(B, L, E, N, ctx.device)
        dout = torch.randn(B, L, E, device=ctx.device)  # (B, L, E)
        for impl in SCAN_IMPLS:
            def fwd_bwd():
                for t in inputs:
                    t.grad = None
                selective_scan(*inputs, impl=impl).backward(dout)

            slow = impl == "sequential" and L > 128
            reps = 3 if ctx.quick else (10 if slow else 50)
            ms = ctx.timer.samples(fwd_bwd, warmup=2 if ctx.quick or slow else 5, reps=reps)
            out.append(result("scan", f"{B}x{L}x{E}x{N}", ms, "ms", impl, ctx.adapter, gated=True))
    return out


def regression_batch(B, n_points, device):
    """A linear-regression batch: tokens (B, T, d), targets (B, T, 1), mask (B, T, 1) on x."""
    T = 2 * n_points
    x = torch.randn(B, n_points, N_DIMS, device=device)  # (B, n, d)
    w = torch.randn(B, N_DIMS, 1, device=device)  # (B, d, 1)
    y = x @ w  # (B, n, 1)
    tokens = torch.zeros(B, T, N_DIMS, device=device)  # (B, T, d)
    tokens[:, 0::2] = x
    tokens[:, 1::2, 0] = y[..., 0]
    targets = torch.zeros(B, T, 1, device=device)  # (B, T, 1)
    targets[:, 0::2] = y  # the prediction for y_i is read at x_i
    mask = torch.zeros(B, T, 1, device=device)
    mask[:, 0::2] = 1
    return tokens, targets, mask


def make_step(model, forward, batch):
    """One training step as the lab's: forward, masked MSE, backward, clip 10, Adam."""
    tokens, targets, mask = batch
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=LR, betas=BETAS, eps=EPS)
    inv_count = 1.0 / mask.sum()

    def step():
        opt.zero_grad(set_to_none=True)
        pred = forward(tokens)  # (B, T, 1)
        loss = ((pred - targets) ** 2 * mask).sum() * inv_count
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, CLIP)
        opt.step()
        return loss

    return step


def bench_one_step(ctx, model_id, size, impl):
    B, n_points = (8, 11) if ctx.quick else (BATCH, N_POINTS)  # the lab's shapes, --quick too
    name, shape = f"step/{model_id}/{size}", f"{B}x{2 * n_points}x{N_DIMS}"  # (B, T, d)
    model = build_model(model_id, size, N_DIMS, 1, 2 * n_points, scan="parallel", sdpa=True).to(ctx.device)
    forward = model
    if impl == "compile":
        forward = torch.compile(model, mode=ctx.compile_mode) if ctx.compile_mode else torch.compile(model)
    step = make_step(model, forward, regression_batch(B, n_points, ctx.device))
    try:
        step()  # compiles here under torch.compile
        ms = ctx.timer.samples(step, warmup=1 if ctx.quick else 10, reps=3 if ctx.quick else 50)
    except Exception as err:  # noqa: BLE001 - report any compile/runtime failure and go on
        return failure(name, shape, "ms", impl, ctx.adapter, err)
    params = sum(p.numel() for p in model.parameters())
    return result(name, shape, ms, "ms", impl, ctx.adapter, scan="parallel" if model_id != "transformer" else "-", params=params, layers=size_spec(model_id, size)[0])


def bench_steps(ctx):
    sizes = ["tiny"] if ctx.quick else ["tiny", "small", "paper"]
    impls = ["eager"] + (["compile"] if ctx.compile else [])
    out = []
    for model_id in MODELS:
        for size in sizes:
            if not ctx.selected(f"step/{model_id}/{size}"):
                continue
            for impl in impls:
                out.append(bench_one_step(ctx, model_id, size, impl))
                ctx.emit(out[-1])
                if ctx.device.type == "cuda":
                    torch.cuda.empty_cache()
    return []  # emitted one by one: a paper-size compile takes minutes


CASES = [("matmul", bench_matmul), ("attention", bench_attention), ("scan", bench_scan), ("step", bench_steps)]


# ---- main ---------------------------------------------------------------------------------


class Context:
    def __init__(self, args):
        self.device = torch.device(args.device)
        self.quick, self.compile = args.quick, not args.no_compile and hasattr(torch, "compile")
        self.compile_mode = args.compile_mode
        self.only = [p.strip() for p in args.only.split(",")] if args.only else None
        self.timer = Timer(self.device)
        self.adapter = adapter_name(self.device)
        self.out = open(args.out, "a") if args.out else None

    def selected(self, name):
        """--only takes name prefixes: 'step' runs every step, 'step/mamba' Mamba's."""
        return self.only is None or any(name.startswith(p) or p.startswith(name) for p in self.only)

    def emit(self, r):
        line = json.dumps(r)
        print(line, flush=True)
        if self.out:
            self.out.write(line + "\n")
            self.out.flush()


def host_cpu():
    """The host's CPU model and core count: eager PyTorch at these sizes is bound by kernel
    launches on the host, so its times move with the machine (bench/RESULTS.md, 2026-11-30)."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def adapter_name(device):
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)} torch {torch.__version__} (host: {host_cpu()})"
    return f"cpu torch {torch.__version__} (host: {host_cpu()})"


def set_precision():
    """f32 throughout: no TF32 in matmuls or convolutions."""
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    if hasattr(torch, "set_float32_matmul_precision"):
        torch.set_float32_matmul_precision("highest")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", choices=["cuda", "cpu"], default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--quick", action="store_true", help="tiny shapes (CPU smoke test)")
    p.add_argument("--only", help="comma-separated name prefixes, e.g. matmul,step/mamba")
    p.add_argument("--no-compile", action="store_true", help="skip the torch.compile step variants")
    p.add_argument("--compile-mode", default=None, help="torch.compile mode (default: torch's default)")
    p.add_argument("--out", help="also append the JSON lines to this file")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("bench_step.py: --device cuda, but torch sees no CUDA device (use --device cpu)")
    set_precision()
    torch.manual_seed(0)
    ctx = Context(args)
    print(f"adapter: {ctx.adapter}", file=sys.stderr)
    for prefix, run in CASES:
        if not ctx.selected(prefix):
            continue
        for r in run(ctx):
            ctx.emit(r)


if __name__ == "__main__":
    main()
