// Selective scan (Mamba's S6), forward of the "register" kernels: each thread walks one
// (batch b, channel e) through time with its N states in registers. Legend: B batch, L length,
// E channels, N state (NS), K steps per segment, NV = ceil(N / 4).
//   Ā_t = exp(Δ_t A_n), A_n = −exp(A_log[e, n]);  h_t = Ā_t h_{t−1} + Δ_t B_{t,n} u_t
//   y_t = Σ_n C_{t,n} h_{t,n} + D_e u_t;  out_t = y_t ⊙ SiLU(z_t) when GATED.
// The N exponentials of a step do not depend on h, so a step's only chain is one FMA per
// state; the threads of a workgroup are neighbouring channels, so each step's loads and
// stores are coalesced. Time goes in segments of K steps. The code of one step is written out
// K times (calls with constant step indices, guarded by K), so that every register array is
// indexed by constants: a runtime index would put the array in local memory, and WebGPU
// clamps every runtime index. A segment's inputs are loaded one segment ahead: u, Δ, z by each
// thread for its channel, and B | C, the same for every channel, by the whole workgroup into
// workgroup memory (two buffers, one barrier per segment).
// Saved for the backward: the state at the start of every segment, hck (B, nseg, N, E),
// channel-fastest so the stores coalesce. The backward (selective_scan_reg_bwd.wgsl) walks
// the same segments with G threads per channel.

// Shared declarations (Params, sizes, bindings 0–5, the loaders): selective_scan_reg_common.wgsl.
// Here G = 1: each thread holds all NV vec4 groups of states (NVT = NV). The prelude's SAVE:
// write the saved states (only when a backward will run).

@group(0) @binding(6) var<storage, read_write> out: array<f32>;  // (B, L, E)
@group(0) @binding(7) var<storage, read_write> hck: array<f32>;  // (B, nseg, N, E)

fn step_input(which: u32, gi: u32) -> f32 {
  switch which {
    case 0u: { return u[gi]; }
    case 1u: { return delta[gi]; }
    default: { return z[gi]; }
  }
}

// this thread's state, parameters and current segment's inputs
var<private> h: array<vec4<f32>, NV>;
var<private> xs: array<f32, K>;
var<private> dts: array<f32, K>;
var<private> zs: array<f32, K>;
var<private> dskip: f32;

// step s of a segment (t its time), B | C from buffer buf
fn fwd_step(s: u32, buf: u32, t: u32, b: u32, e: u32) {
  let dt = dts[s];
  let x = xs[s];
  let dx = dt * x;
  var y = vec4<f32>(0.0);
  for (var v = 0u; v < NV; v++) {
    h[v] = exp2(dt * A2[v]) * h[v] + dx * bcs[buf][s][0][v];
    y += bcs[buf][s][1][v] * h[v];
  }
  if (e < p.chans && t < p.len) {
    out[(b * p.len + t) * p.chans + e] = gate(dot(y, vec4<f32>(1.0)) + dskip * x, zs[s]);
  }
}

// the segment's K steps, written out (constant indices into the register arrays)
fn fwd_steps(buf: u32, t0: u32, b: u32, e: u32) {
  fwd_step(0u, buf, t0, b, e);
  if (K > 1u) { fwd_step(1u, buf, t0 + 1u, b, e); }
  if (K > 2u) { fwd_step(2u, buf, t0 + 2u, b, e); }
  if (K > 3u) { fwd_step(3u, buf, t0 + 3u, b, e); }
  if (K > 4u) { fwd_step(4u, buf, t0 + 4u, b, e); }
  if (K > 5u) { fwd_step(5u, buf, t0 + 5u, b, e); }
  if (K > 6u) { fwd_step(6u, buf, t0 + 6u, b, e); }
  if (K > 7u) { fwd_step(7u, buf, t0 + 7u, b, e); }
}

@compute @workgroup_size(EB)
fn scan_fwd_reg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tid = lid.x;
  let e = wid.x * EB + tid;
  let b = wid.y;
  let E = p.chans;
  let ec = min(e, E - 1u); // padding channels compute on a real channel's A with Δ = 0
  load_a2(ec, 0u);
  dskip = ad[ec * (NS + 1u) + NS];
  var nx = load_steps(0u, b, 0u, e);
  var ndt = load_steps(1u, b, 0u, e);
  var nz: array<f32, K>;
  if (GATED) { nz = load_steps(2u, b, 0u, e); }
  store_bc_share(load_bc_share(b, 0u, tid), 0u, tid);
  workgroupBarrier();
  for (var seg = 0u; seg < p.nseg; seg++) {
    xs = nx;
    dts = ndt;
    zs = nz;
    // the next segment's loads go out before this one's arithmetic
    let more = seg + 1u < p.nseg;
    var share: array<f32, BCPT>;
    if (more) {
      nx = load_steps(0u, b, seg + 1u, e);
      ndt = load_steps(1u, b, seg + 1u, e);
      if (GATED) { nz = load_steps(2u, b, seg + 1u, e); }
      share = load_bc_share(b, seg + 1u, tid);
    }
    if (SAVE && e < E) {
      for (var v = 0u; v < NV; v++) {
        for (var c = 0u; c < 4u; c++) {
          if (4u * v + c < NS) { hck[saved_state_index(b, seg, 4u * v + c, e)] = h[v][c]; }
        }
      }
    }
    let buf = seg % 2u;
    fwd_steps(buf, seg * K, b, e);
    if (more) { store_bc_share(share, 1u - buf, tid); }
    workgroupBarrier(); // the other buffer is complete, and this one free to rewrite
  }
}
