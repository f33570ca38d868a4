"""Mamba's selective scan in plain PyTorch, in two flavours with one signature
(as mamba-ssm keeps `selective_scan_ref` beside its fast scan):

- "sequential": a Python loop over time, differentiated by autograd; the definition.
- "parallel":   the linear recurrence h_t = a_t h_{t−1} + b_t as an associative scan over time
                (recursive odd–even reduction: O(L) work in ~2·log2 L elementwise steps on
                (B, L, E, N) tensors; no custom kernels), with a
                hand-written backward that is the same scan run in reverse time
                (SPEC.md: g_t = ∂L/∂h_t + a_{t+1} g_{t+1}; ∂L/∂b_t = g_t; ∂L/∂a_t = h_{t−1} g_t).
                What a researcher writes without custom CUDA.

Legend: B batch, L length, E channels, N state size.
  u, delta, z (B, L, E); A_log (E, N); Bm, Cm (B, L, N); D (E) → out (B, L, E)
  A = −exp(A_log); a_t = exp(Δ_t A); b_t = Δ_t B_t u_t; y_t = C_t·h_t + D u_t;
  out = y ⊙ SiLU(z) when z is given (src/engine/ops/selectiveScan.ts, selectiveScanRef).
"""
import torch
import torch.nn.functional as F

SCAN_IMPLS = ("parallel", "sequential")


def selective_scan(u, delta, A_log, Bm, Cm, D, z=None, impl="parallel"):
    """The selective scan; impl is 'parallel' or 'sequential' (same result, same gradients)."""
    A = -torch.exp(A_log)  # (E, N)
    if impl == "sequential":
        y = _scan_sequential(u, delta, A, Bm, Cm)
    elif impl == "parallel":
        a = torch.exp(delta.unsqueeze(-1) * A)  # (B, L, E, N)
        b = (delta * u).unsqueeze(-1) * Bm.unsqueeze(2)  # (B, L, E, N)
        h = LinearRecurrence.apply(a, b)  # (B, L, E, N)
        y = (h @ Cm.unsqueeze(-1)).squeeze(-1)  # (B, L, E): Σ_n h · C
    else:
        raise ValueError(f"unknown scan {impl!r}; the scans are {', '.join(SCAN_IMPLS)}")
    y = y + u * D
    return y * F.silu(z) if z is not None else y


def _scan_sequential(u, delta, A, Bm, Cm):
    """Loop over time: h (B, E, N) carried from step to step; returns Σ_n C_t h_t (B, L, E)."""
    Bsz, L, E = u.shape
    h = u.new_zeros(Bsz, E, A.shape[1])  # (B, E, N)
    ys = []
    for t in range(L):
        dt = delta[:, t].unsqueeze(-1)  # (B, E, 1)
        h = torch.exp(dt * A) * h + dt * Bm[:, t].unsqueeze(1) * u[:, t].unsqueeze(-1)  # (B, E, N)
        ys.append((h @ Cm[:, t].unsqueeze(-1)).squeeze(-1))  # (B, E)
    return torch.stack(ys, dim=1)  # (B, L, E)


def scan_odd_even(a, b):
    """h_t = a_t h_{t−1} + b_t along dim 1 with h_{−1} = 0, by recursive odd–even reduction:
    combine neighbouring pairs with (a₁, b₁) ∘ (a₂, b₂) = (a₁a₂, a₂b₁ + b₂), scan the
    half-length sequence of pairs (which gives h at odd t), then fill in the even t from their
    left neighbours. O(L) work in about 2·log2 L elementwise steps; a, b (B, L, …)."""
    L = a.shape[1]
    if L == 1:
        return b
    if L % 2:  # pad with the identity (a = 1, b = 0) to an even length
        h = scan_odd_even(torch.cat([a, torch.ones_like(a[:, :1])], 1), torch.cat([b, torch.zeros_like(b[:, :1])], 1))
        return h[:, :L]
    a2 = a.reshape(a.shape[0], L // 2, 2, *a.shape[2:])  # (B, L/2, 2, …)
    b2 = b.reshape(b.shape[0], L // 2, 2, *b.shape[2:])
    a_even, a_odd, b_even, b_odd = a2[:, :, 0], a2[:, :, 1], b2[:, :, 0], b2[:, :, 1]
    h_odd = scan_odd_even(a_odd * a_even, torch.addcmul(b_odd, a_odd, b_even))  # h at t = 1, 3, 5, …
    h_before = torch.cat([torch.zeros_like(h_odd[:, :1]), h_odd[:, :-1]], 1)  # h at t − 1 for even t
    h_even = torch.addcmul(b_even, a_even, h_before)  # h at t = 0, 2, 4, …
    return torch.stack([h_even, h_odd], dim=2).reshape(b.shape)  # (B, L, …)


class LinearRecurrence(torch.autograd.Function):
    """h = scan(a, b): forward and backward both parallel in time; saves a and h only."""

    @staticmethod
    def forward(ctx, a, b):  # (B, L, E, N) each
        h = scan_odd_even(a, b)
        ctx.save_for_backward(a, h)
        return h

    @staticmethod
    def backward(ctx, dh):  # (B, L, E, N)
        a, h = ctx.saved_tensors
        # g_t = dh_t + a_{t+1} g_{t+1}: the forward scan on time-reversed inputs
        a_next = torch.cat([a[:, 1:], torch.zeros_like(a[:, :1])], dim=1)  # a_{t+1}, 0 past the end
        g = scan_odd_even(a_next.flip(1), dh.flip(1)).flip(1)  # (B, L, E, N)
        h_prev = torch.cat([torch.zeros_like(h[:, :1]), h[:, :-1]], dim=1)  # h_{t−1}
        return h_prev * g, g  # ∂L/∂a, ∂L/∂b
