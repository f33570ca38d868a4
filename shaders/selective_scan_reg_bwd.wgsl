// Selective scan, backward of the "register" kernels (layout and recurrences in
// selective_scan_reg.wgsl). Each (batch b, channel e) has G threads; thread q holds the vec4
// groups of states v = j·G + q (j < NVT = NV / G). Segments of K steps are visited last to
// first: recompute the segment's states h_{t−1} from its saved state into registers, then run
// the adjoint k backwards through the segment:
//   g_t = C_t dy_t + k_{t+1},  k_t = Ā_t g_t,
//   du_t = Σ_n g Δ B + D dy;  dΔ_t = Σ_n (g B u + A Ā h_{t−1} g);  dA_log = A Σ_{b,t} Δ Ā h_{t−1} g
//   dB_{t,n} = Σ_e g Δ u;     dC_{t,n} = Σ_e dy h_t;               dD = Σ_{b,t} dy u
//   dz = dout · y · SiLU'(z) (GATED; dy = dout · SiLU(z)).
// A segment runs without barriers: each step writes its sums over this thread's states (du,
// dΔ, y: part3) and its dB, dC terms (red) to workgroup memory; after one barrier the
// workgroup finishes the segment's du, dΔ, dz (sums over the G threads) and its dB, dC (sums
// over the workgroup's channels, one partial per channel block). Partials, summed by
// sum_partials (reduce.wgsl), follow the forward's saved states in one buffer (so
// that the kernel binds 10 storage buffers, the most browsers offer):
// scr = [hck (B, nseg, N, E) | dB|dC (nEB, B, L, 2N), rows as packed B|C | dA_log (B, E, N) | dD (B, E)].
// Steps are written out K times, as in the forward (constant indices into register arrays).

// Shared declarations (Params, sizes, bindings 0–5, the loaders): selective_scan_reg_common.wgsl.

@group(0) @binding(6) var<storage, read_write> scr: array<f32>; // hck | partial sums
@group(0) @binding(7) var<storage, read> dout: array<f32>;   // (B, L, E)
@group(0) @binding(8) var<storage, read_write> du: array<f32>;     // (B, L, E)
@group(0) @binding(9) var<storage, read_write> ddelta: array<f32>; // (B, L, E)
@group(0) @binding(10) var<storage, read_write> dz: array<f32>;    // (B, L, E), GATED only

const LN2 = 0.6931471805599453;

// a segment's dB | dC terms, [q][((step · NVT + j) · 2 + (0: g Δ u, 1: dy h_t)) · 4 + c][channel]
// for state n = 4 (j·G + q) + c. The runtime part of every index is the same in all of a
// thread's accesses (q and channel in the writes, q and row in the sums), so the compiler
// clamps it once and folds the rest into constant offsets. Rows are padded to EB + 1, so that
// the writes (by channel) and the sums (by row) avoid bank conflicts. (Vec4 rows, written 128
// bits at a time, made the backward 40% slower on an H200, for no reason the SASS shows.)
const RR = 8u * K * NVT; // rows per q
var<workgroup> red: array<array<array<f32, EB + 1u>, RR>, G>;
// a segment's sums over each thread's states, [step][Σ g B | Σ A2 Ā h g | Σ C h_t][q][channel]
var<workgroup> part3: array<array<array<array<f32, EB>, G>, 3>, K>;

// this thread's parameters, state, adjoint and sums, and the current segment's inputs
var<private> h: array<vec4<f32>, NVT>;
var<private> hs: array<array<vec4<f32>, NVT>, K>; // the segment's h_{t−1}
var<private> k: array<vec4<f32>, NVT>;   // Ā_{t+1} g_{t+1} (starts at 0)
var<private> dA: array<vec4<f32>, NVT>;  // Σ_t Δ Ā h_{t−1} g
var<private> xs: array<f32, K>;
var<private> dts: array<f32, K>;
var<private> zs: array<f32, K>;
var<private> dys: array<f32, K>;
var<private> dskip: f32;
var<private> dD: f32;

fn step_input(which: u32, gi: u32) -> f32 {
  switch which {
    case 0u: { return u[gi]; }
    case 1u: { return delta[gi]; }
    case 2u: { return z[gi]; }
    default: { return dout[gi]; }
  }
}

// the forward's saved state at the start of segment seg, this thread's states (0 for padding channels)
fn load_state(b: u32, seg: u32, e: u32, q: u32) -> array<vec4<f32>, NVT> {
  var r: array<vec4<f32>, NVT>;
  if (e < p.chans) {
    for (var j = 0u; j < NVT; j++) {
      for (var c = 0u; c < 4u; c++) {
        let n = 4u * (j * G + q) + c;
        if (n < NS) { r[j][c] = scr[saved_state_index(b, seg, n, e)]; }
      }
    }
  }
  return r;
}

fn recompute_step(s: u32, buf: u32, q: u32) {
  let dt = dts[s];
  let dx = dt * xs[s];
  for (var j = 0u; j < NVT; j++) {
    hs[s][j] = h[j];
    h[j] = exp2(dt * A2[j]) * h[j] + dx * bcs[buf][s][0][j * G + q];
  }
}

fn adjoint_step(s: u32, buf: u32, el: u32, q: u32) {
  let x = xs[s];
  let dt = dts[s];
  let dy = gate(dys[s], zs[s]);
  let dx = dt * x;
  var gb = vec4<f32>(0.0);  // Σ_n g B
  var adh = vec4<f32>(0.0); // Σ_n A2 Ā h_{t−1} g
  var y = vec4<f32>(0.0);   // Σ_n C h_t
  for (var j = 0u; j < NVT; j++) {
    let v = j * G + q;
    let bn = bcs[buf][s][0][v];
    let cn = bcs[buf][s][1][v];
    let a = exp2(dt * A2[j]);
    let hp = hs[s][j];
    // h_t: the recompute's next state (h itself after the segment's last step)
    var ht = h[j];
    if (s + 1u < K) { ht = hs[min(s + 1u, K - 1u)][j]; }
    let g = cn * dy + k[j];
    gb += g * bn;
    let ahg = a * hp * g;
    adh += A2[j] * ahg;
    dA[j] += dt * ahg;
    y += cn * ht;
    k[j] = a * g;
    // padded states write zeros (their B, C and state are 0); the sums skip them
    let gdx = g * dx;
    let dyh = dy * ht;
    let r0 = (s * NVT + j) * 8u;
    for (var c = 0u; c < 4u; c++) {
      red[q][r0 + c][el] = gdx[c];
      red[q][r0 + 4u + c][el] = dyh[c];
    }
  }
  let one = vec4<f32>(1.0);
  part3[s][0][q][el] = dot(gb, one);
  part3[s][1][q][el] = dot(adh, one);
  part3[s][2][q][el] = dot(y, one);
  if (q == 0u) { dD += dy * x; }
}

// du, dΔ, dz of step s (time t): thread q finishes the steps s ≡ q (mod G)
fn finish_step(s: u32, t: u32, b: u32, e: u32, el: u32, q: u32) {
  if (s % G != q || e >= p.chans || t >= p.len) { return; }
  var gbs = 0.0;
  var adh = 0.0;
  var y = 0.0;
  for (var r = 0u; r < G; r++) {
    gbs += part3[s][0][r][el];
    adh += part3[s][1][r][el];
    y += part3[s][2][r][el];
  }
  let x = xs[s];
  let dt = dts[s];
  let zv = zs[s];
  let dyo = dys[s];
  let dy = gate(dyo, zv);
  let gi = (b * p.len + t) * p.chans + e;
  du[gi] = gbs * dt + dskip * dy;
  ddelta[gi] = gbs * x + LN2 * adh;
  if (GATED) {
    let sg = 1.0 / (1.0 + exp(-zv));
    dz[gi] = dyo * (y + dskip * x) * sg * (1.0 + zv * (1.0 - sg));
  }
}

// the segment's K steps, written out: the recompute forwards, the adjoint backwards, then
// the outputs
fn recompute_steps(buf: u32, q: u32) {
  recompute_step(0u, buf, q);
  if (K > 1u) { recompute_step(1u, buf, q); }
  if (K > 2u) { recompute_step(2u, buf, q); }
  if (K > 3u) { recompute_step(3u, buf, q); }
  if (K > 4u) { recompute_step(4u, buf, q); }
  if (K > 5u) { recompute_step(5u, buf, q); }
  if (K > 6u) { recompute_step(6u, buf, q); }
  if (K > 7u) { recompute_step(7u, buf, q); }
}

fn adjoint_steps(buf: u32, el: u32, q: u32) {
  if (K > 7u) { adjoint_step(7u, buf, el, q); }
  if (K > 6u) { adjoint_step(6u, buf, el, q); }
  if (K > 5u) { adjoint_step(5u, buf, el, q); }
  if (K > 4u) { adjoint_step(4u, buf, el, q); }
  if (K > 3u) { adjoint_step(3u, buf, el, q); }
  if (K > 2u) { adjoint_step(2u, buf, el, q); }
  if (K > 1u) { adjoint_step(1u, buf, el, q); }
  adjoint_step(0u, buf, el, q);
}

fn finish_steps(t0: u32, b: u32, e: u32, el: u32, q: u32) {
  finish_step(0u, t0, b, e, el, q);
  if (K > 1u) { finish_step(1u, t0 + 1u, b, e, el, q); }
  if (K > 2u) { finish_step(2u, t0 + 2u, b, e, el, q); }
  if (K > 3u) { finish_step(3u, t0 + 3u, b, e, el, q); }
  if (K > 4u) { finish_step(4u, t0 + 4u, b, e, el, q); }
  if (K > 5u) { finish_step(5u, t0 + 5u, b, e, el, q); }
  if (K > 6u) { finish_step(6u, t0 + 6u, b, e, el, q); }
  if (K > 7u) { finish_step(7u, t0 + 7u, b, e, el, q); }
}

@compute @workgroup_size(EB, G)
fn scan_bwd_reg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let el = lid.x;
  let q = lid.y;
  let tid = q * EB + el;
  let e = wid.x * EB + el;
  let b = wid.y;
  let E = p.chans;
  let L = p.len;
  let ec = min(e, E - 1u); // padding channels: u = Δ = dy = 0, so they add nothing
  load_a2(ec, q);
  dskip = ad[ec * (NS + 1u) + NS];
  let last = p.nseg - 1u;
  var nx = load_steps(0u, b, last, e);
  var ndt = load_steps(1u, b, last, e);
  var nz: array<f32, K>;
  if (GATED) { nz = load_steps(2u, b, last, e); }
  var ndy = load_steps(3u, b, last, e);
  var nh = load_state(b, last, e, q);
  store_bc_share(load_bc_share(b, last, tid), last % 2u, tid);
  workgroupBarrier();
  for (var seg1 = p.nseg; seg1 > 0u; seg1--) {
    let seg = seg1 - 1u;
    xs = nx;
    dts = ndt;
    zs = nz;
    dys = ndy;
    h = nh;
    // the previous segment's loads go out before this one's arithmetic
    var share: array<f32, BCPT>;
    if (seg > 0u) {
      nx = load_steps(0u, b, seg - 1u, e);
      ndt = load_steps(1u, b, seg - 1u, e);
      if (GATED) { nz = load_steps(2u, b, seg - 1u, e); }
      ndy = load_steps(3u, b, seg - 1u, e);
      nh = load_state(b, seg - 1u, e, q);
      share = load_bc_share(b, seg - 1u, tid);
    }
    let buf = seg % 2u;
    let t0 = seg * K;
    recompute_steps(buf, q);
    adjoint_steps(buf, el, q);
    workgroupBarrier();
    finish_steps(t0, b, e, el, q);
    // dB, dC of the segment's steps summed over this workgroup's channels: thread o sums row
    // f of red[qr] (four running sums: shorter chains)
    for (var o = tid; o < G * RR; o += EB * G) {
      let qr = o / RR;
      let f = o % RR;
      var acc = vec4<f32>(0.0);
      for (var c = 0u; c < EB; c++) { acc[c % 4u] += red[qr][f][c]; }
      let col = f / 4u;
      let half = col % 2u; // 0: dB, 1: dC
      let s = col / (2u * NVT);
      let n = 4u * (((col / 2u) % NVT) * G + qr) + f % 4u;
      let t = t0 + s;
      if (t < L && n < NS) {
        scr[p.off_db + (wid.x * p.batch * L + b * L + t) * 2u * NS + half * NS + n] = dot(acc, vec4<f32>(1.0));
      }
    }
    if (seg > 0u) { store_bc_share(share, 1u - buf, tid); }
    workgroupBarrier(); // red, part3 and this B | C buffer are rewritten next
  }

  // per-batch partials of dA_log (= A · Σ Δ Ā h g) and dD
  if (e < E) {
    for (var j = 0u; j < NVT; j++) {
      for (var c = 0u; c < 4u; c++) {
        let n = 4u * (j * G + q) + c;
        if (n < NS) { scr[p.off_da + (b * E + e) * NS + n] = -exp(ad[e * (NS + 1u) + n]) * dA[j][c]; }
      }
    }
    if (q == 0u) { scr[p.off_dd + b * E + e] = dD; }
  }
}
