"""ICL Lab's four model families in plain PyTorch (no custom CUDA), for benchmarks and for
checking the lab's forward and gradients.

Each model is read-in Linear(d → C) `_read_in`, a causal backbone `_backbone.*`, read-out
Linear(C → O) `_read_out`, exactly as src/nn/models.ts; state_dict keys, shapes and block
order are the official code's (krafton-ai/mambaformer-icl: GPT2Model, mamba-ssm's MixerModel
with `mixed_attn`, nanoGPT's CausalSelfAttention; shared/DESIGN.md "Checkpoints"), less the
token embeddings that the official models carry unused, so a lab checkpoint loads with
`load_state_dict(strict=True)`.

Legend: B batch, T tokens, d token width, C model width, O read-out width, H heads,
HD head dim (C / H), E Mamba inner width (2C), N state size (16), R dt rank (ceil(C / 16)).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from scan import selective_scan

# SPEC.md's sizes: (layers, C, heads). The hybrids' attention always uses 8 heads.
SIZES = {
    "transformer": {"tiny": (3, 64, 2), "small": (6, 128, 4), "paper": (12, 256, 8)},
    "ssm": {"tiny": (6, 64, 8), "small": (12, 128, 8), "paper": (24, 256, 8)},
}
MODELS = ("transformer", "mamba", "mambaformer", "standard_hybrid")
LN_EPS = 1e-5
HAS_SDPA = hasattr(F, "scaled_dot_product_attention")  # torch >= 2.0


def size_spec(model, size):
    """(layers, C, heads) of a model family at a size."""
    return SIZES["transformer" if model == "transformer" else "ssm"][size]


# ---- attention ------------------------------------------------------------------------------


def causal_attention(qkv, heads, sdpa=True):
    """qkv (B, T, 3C) laid out q | k | v, head h in channels h·HD … h·HD+HD−1 of each third
    (GPT-2's and nanoGPT's c_attn alike) → causal softmax attention (B, T, C)."""
    B, T, C3 = qkv.shape
    C = C3 // 3
    q, k, v = (t.view(B, T, heads, C // heads).transpose(1, 2) for t in qkv.split(C, dim=2))  # (B, H, T, HD)
    if sdpa and HAS_SDPA:
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, H, T, HD)
    else:
        att = (q @ k.transpose(-2, -1)) / math.sqrt(k.shape[-1])  # (B, H, T, T)
        causal = torch.ones(T, T, dtype=torch.bool, device=qkv.device).tril()
        att = att.masked_fill(~causal, float("-inf")).softmax(dim=-1)
        y = att @ v  # (B, H, T, HD)
    return y.transpose(1, 2).reshape(B, T, C)  # (B, T, C)


class Conv1D(nn.Module):
    """Hugging Face GPT-2's Conv1D: a linear layer whose weight is stored [in, out]."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out))  # (in, out)
        self.bias = nn.Parameter(torch.zeros(n_out))  # (out)
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(*x.shape[:-1], -1)


class GptAttention(nn.Module):
    def __init__(self, C, heads, sdpa):
        super().__init__()
        self.heads, self.sdpa = heads, sdpa
        self.c_attn = Conv1D(C, 3 * C)
        self.c_proj = Conv1D(C, C)

    def forward(self, x):
        return self.c_proj(causal_attention(self.c_attn(x), self.heads, self.sdpa))  # (B, T, C)


class GptMlp(nn.Module):
    def __init__(self, C):
        super().__init__()
        self.c_fc = Conv1D(C, 4 * C)
        self.c_proj = Conv1D(4 * C, C)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))  # (B, T, C)


class GptBlock(nn.Module):
    """GPT-2's pre-LayerNorm block: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))."""

    def __init__(self, C, heads, sdpa):
        super().__init__()
        self.ln_1 = nn.LayerNorm(C, eps=LN_EPS)
        self.attn = GptAttention(C, heads, sdpa)
        self.ln_2 = nn.LayerNorm(C, eps=LN_EPS)
        self.mlp = GptMlp(C)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt2Backbone(nn.Module):
    """GPT2Model fed with inputs_embeds: learned positions, blocks, final LayerNorm (no wte)."""

    def __init__(self, layers, C, heads, rows, sdpa):
        super().__init__()
        self.wpe = nn.Embedding(rows, C)  # (2 · n_positions, C)
        self.h = nn.ModuleList(GptBlock(C, heads, sdpa) for _ in range(layers))
        self.ln_f = nn.LayerNorm(C, eps=LN_EPS)

    def forward(self, x):  # (B, T, C)
        x = x + self.wpe.weight[: x.shape[1]]
        for block in self.h:
            x = block(x)
        return self.ln_f(x)


class CausalSelfAttention(nn.Module):
    """The hybrids' attention mixer, nanoGPT's as the official mamba_simple.py has it: c_attn
    C → 3C (q | k | v), causal softmax attention, c_proj C → C, both nn.Linear with bias; no MLP."""

    def __init__(self, C, heads, sdpa):
        super().__init__()
        self.heads, self.sdpa = heads, sdpa
        self.c_attn = nn.Linear(C, 3 * C)  # (3C, C)
        self.c_proj = nn.Linear(C, C)  # (C, C)

    def forward(self, x):
        return self.c_proj(causal_attention(self.c_attn(x), self.heads, self.sdpa))  # (B, T, C)


# ---- Mamba ---------------------------------------------------------------------------------


class MambaMixer(nn.Module):
    """Mamba's mixer (mamba-ssm names and nn.Linear layout, SPEC.md "Models"):
    in_proj → x, z; causal depthwise conv1d on x, SiLU; x_proj → δ, B, C;
    Δ = softplus(dt_proj(δ)); selective scan; y ⊙ SiLU(z); out_proj."""

    def __init__(self, C, scan="parallel", d_state=16, d_conv=4, expand=2):
        super().__init__()
        E, N, R = expand * C, d_state, math.ceil(C / 16)
        self.E, self.N, self.R, self.scan = E, N, R, scan
        self.in_proj = nn.Linear(C, 2 * E, bias=False)  # (2E, C)
        self.conv1d = nn.Conv1d(E, E, d_conv, groups=E, padding=d_conv - 1, bias=True)  # (E, 1, 4)
        self.x_proj = nn.Linear(E, R + 2 * N, bias=False)  # (R + 2N, E)
        self.dt_proj = nn.Linear(R, E, bias=True)  # (E, R)
        self.A_log = nn.Parameter(torch.log(torch.arange(1, N + 1, dtype=torch.float32)).repeat(E, 1))  # (E, N)
        self.D = nn.Parameter(torch.ones(E))  # (E)
        self.out_proj = nn.Linear(E, C, bias=False)  # (C, E)
        self.reset_dt()

    def reset_dt(self, dt_min=1e-3, dt_max=1e-1, dt_floor=1e-4):
        """mamba-ssm's dt init: weight U(±R^-½), bias = softplus⁻¹(dt), dt log-uniform."""
        with torch.no_grad():
            nn.init.uniform_(self.dt_proj.weight, -self.R**-0.5, self.R**-0.5)
            dt = torch.exp(torch.rand(self.E) * (math.log(dt_max) - math.log(dt_min)) + math.log(dt_min))
            dt = dt.clamp(min=dt_floor)
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))

    def forward(self, x):  # (B, T, C)
        T = x.shape[1]
        xs, z = self.in_proj(x).chunk(2, dim=-1)  # (B, T, E) each
        xs = self.conv1d(xs.transpose(1, 2))[..., :T].transpose(1, 2)  # (B, T, E), causal
        xs = F.silu(xs)
        dt, Bm, Cm = self.x_proj(xs).split([self.R, self.N, self.N], dim=-1)  # (B, T, R), (B, T, N) ×2
        delta = F.softplus(self.dt_proj(dt))  # (B, T, E)
        y = selective_scan(xs, delta, self.A_log, Bm, Cm, self.D, z, impl=self.scan)  # (B, T, E)
        return self.out_proj(y)  # (B, T, C)


class ResidualBlock(nn.Module):
    """A pre-LayerNorm residual block around one mixer: x = x + mixer(norm(x))."""

    def __init__(self, C, mixer):
        super().__init__()
        self.norm = nn.LayerNorm(C, eps=LN_EPS)
        self.mixer = mixer

    def forward(self, x):
        return x + self.mixer(self.norm(x))


class MixerBackbone(nn.Module):
    """mamba-ssm MixerModel without embedding: `layers.{i}` blocks, final `norm_f`."""

    def __init__(self, mixers, C, heads, scan, sdpa):
        super().__init__()
        make = lambda kind: MambaMixer(C, scan) if kind == "mamba" else CausalSelfAttention(C, heads, sdpa)
        self.layers = nn.ModuleList(ResidualBlock(C, make(kind)) for kind in mixers)
        self.norm_f = nn.LayerNorm(C, eps=LN_EPS)

    def forward(self, x):  # (B, T, C)
        for block in self.layers:
            x = block(x)
        return self.norm_f(x)


# ---- the four families ------------------------------------------------------------------


def mixer_kinds(model, layers):
    """The block sequence of a MixerModel-style family (mixer_seq_simple.py's `mixed_attn`)."""
    alternating = ["attention" if i % 2 == 0 else "mamba" for i in range(layers)]
    if model == "mamba":
        return ["mamba"] * layers
    if model == "mambaformer":  # one extra Mamba block first: M, A, M, …, M (n + 1 blocks)
        return ["mamba"] + alternating
    if model == "standard_hybrid":  # n blocks, attention first
        return alternating
    raise ValueError(f"unknown model {model!r}; the models are {', '.join(MODELS)}")


def gpt_position_rows(max_tokens, n_positions=None):
    """GPT-2's wpe rows: GPT2Config(n_positions = 2 · n_positions), at least the prompt
    (src/nn/models.ts gptPositionRows); without n_positions, the prompt's tokens."""
    return max_tokens if n_positions is None else 2 * max(n_positions, math.ceil(max_tokens / 2))


def hybrid_position_rows(max_tokens, n_positions=None):
    """The standard hybrid's wpe rows: nn.Embedding(n_positions), at least the prompt."""
    return max(n_positions or 0, max_tokens)


class IclModel(nn.Module):
    """tokens (B, T, d) → read-out at every token (B, T, O)."""

    def __init__(self, model, size, d, out_dim, max_tokens, n_positions=None, scan="parallel", sdpa=True):
        super().__init__()
        layers, C, heads = size_spec(model, size) if isinstance(size, str) else size
        self.kind, self.n_layer = model, layers
        self._read_in = nn.Linear(d, C)
        if model == "standard_hybrid":
            self.wpe = nn.Embedding(hybrid_position_rows(max_tokens, n_positions), C)  # top-level `wpe.weight` (n_positions, C)
        if model == "transformer":
            self._backbone = Gpt2Backbone(layers, C, heads, gpt_position_rows(max_tokens, n_positions), sdpa)
        else:
            self._backbone = MixerBackbone(mixer_kinds(model, layers), C, heads, scan, sdpa)
        self._read_out = nn.Linear(C, out_dim)

    def forward(self, tokens):  # (B, T, d)
        h = self._read_in(tokens)  # (B, T, C)
        if self.kind == "standard_hybrid":
            h = h + self.wpe.weight[: h.shape[1]]
        return self._read_out(self._backbone(h))  # (B, T, O)

    def set_scan(self, impl):
        """Switch every Mamba mixer to the 'parallel' or 'sequential' selective scan."""
        for m in self.modules():
            if isinstance(m, MambaMixer):
                m.scan = impl


def build_model(model, size, d, out_dim, max_tokens, n_positions=None, scan="parallel", sdpa=True):
    """One of MODELS at size tiny/small/paper, or (layers, C, heads), initialised as the
    official code does (init_official). max_tokens: the longest prompt; n_positions: the
    official config's (lab_config.n_positions), which sizes the positional tables."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; the models are {', '.join(MODELS)}")
    m = IclModel(model, size, d, out_dim, max_tokens, n_positions, scan, sdpa)
    init_official(m)
    return m


@torch.no_grad()
def init_official(model):
    """The official initialisation, which the lab follows (src/nn): read-in/out, conv1d and
    c_attn/c_proj keep PyTorch's defaults (U(±1/√fan_in)); GPT2Model: N(0, 0.02), c_proj
    weights by 1/√(2·layers), positions N(0, 0.02); MixerModel's _init_weights: Linear biases 0
    (not dt_proj's), Mamba out_proj U(±1/√E)/√n_layer with n_layer the config's (MambaFormer's
    extra block not counted); the standard hybrid's wpe, outside the MixerModel, keeps
    nn.Embedding's N(0, 1); LayerNorm 1/0; Mamba's A_log/D/dt init (MambaMixer).
    Uses torch's global generator."""
    if isinstance(model._backbone, Gpt2Backbone):
        nn.init.normal_(model._backbone.wpe.weight, std=0.02)
        layers = len(model._backbone.h)
        for name, p in model._backbone.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * layers))
        return
    for m in model._backbone.modules():
        if isinstance(m, CausalSelfAttention):
            nn.init.zeros_(m.c_attn.bias)
            nn.init.zeros_(m.c_proj.bias)
        elif isinstance(m, MambaMixer):
            bound = 1 / math.sqrt(m.E * model.n_layer)
            nn.init.uniform_(m.out_proj.weight, -bound, bound)
