// Selective scan, backward of the "register" kernels (layout and recurrences in
// selective_scan_reg.wgsl). Each (batch b, channel e) has G threads, each with N / G states;
// segments of M blocks of S steps are visited last to first: recompute the segment's states
// h_{t−1} from its checkpoint into registers, then run the adjoint k backwards through its
// blocks:
//   g_t = C_t dy_t + k_{t+1},  k_t = Ā_t g_t,
//   du_t = Σ_n g Δ B + D dy;  dΔ_t = Σ_n (g B u + A Ā h_{t−1} g);  dA_log = A Σ_{b,t} Δ Ā h_{t−1} g
//   dB_{t,n} = Σ_e g Δ u;     dC_{t,n} = Σ_e dy h_t;               dD = Σ_{b,t} dy u
//   dz = dout · y · SiLU'(z) (GATED; dy = dout · SiLU(z)).
// Sums over states (du, dΔ, y) go through workgroup memory per block (part3); so do the
// sums over the workgroup's channels (dB, dC: red), one partial per channel block. Partials,
// summed by sum_partials (selective_scan_bwd.wgsl), follow the forward's saved states in one
// buffer (so that the kernel binds 10 storage buffers, the most browsers offer):
// scr = [hck (B, nseg, N, E) | dB|dC (nEB, B, L, 2N), rows as packed B|C | dA_log (B, E, N) | dD (B, E)].

// Shared declarations (Params, bindings 0–5, gate): selective_scan_reg_common.wgsl.

// The register arrays' sizes are prepended per pipeline by src/engine/ops/selectiveScan.ts
// (WGSL sizes function-scope arrays with constants only, and spare elements cost registers):
// NMAX = N / G states per thread, SMAX = S steps per block, BMAX = S · N / G (a block's B or
// C per thread), HMAX = M · S · N / G (a segment's states, backward).
override G: u32 = 4u;    // threads per channel, each with N / G states (local y)
override S: u32 = 4u;    // steps per block
override M: u32 = 1u;    // blocks per segment: the forward saves the state once per segment
override NPT: u32 = NS / G; // states per thread

// A = −exp(A_log) for this thread's states of channel ec (n = j·G + q)
fn load_a(ec: u32, q: u32) -> array<f32, NMAX> {
  var A: array<f32, NMAX>;
  for (var j = 0u; j < NPT; j++) { A[j] = -exp(ad[ec * (NS + 1u) + j * G + q]); }
  return A;
}

// One block's inputs for this thread, loaded together (one memory latency per block, and the
// next block's loads are issued before the current block's arithmetic).
struct Block {
  x: array<f32, SMAX>,  // u (0 past L or E)
  dt: array<f32, SMAX>, // Δ (0 past L or E: h stays)
  z: array<f32, SMAX>,
  bn: array<f32, BMAX>, // B of this thread's states, [step][j]
  cn: array<f32, BMAX>, // C
}

fn load_block(b: u32, blk: u32, e: u32, q: u32) -> Block {
  var k: Block;
  let E = p.chans;
  let L = p.len;
  for (var s = 0u; s < S; s++) {
    let t = blk * S + s;
    k.x[s] = 0.0;
    k.dt[s] = 0.0;
    k.z[s] = 0.0;
    if (e < E && t < L) {
      let gi = (b * L + t) * E + e;
      k.x[s] = u[gi];
      k.dt[s] = delta[gi];
      if (GATED) { k.z[s] = z[gi]; }
    }
    let r = (b * L + min(t, L - 1u)) * 2u * NS;
    for (var j = 0u; j < NPT; j++) {
      k.bn[s * NPT + j] = bc[r + j * G + q];
      k.cn[s * NPT + j] = bc[r + NS + j * G + q];
    }
  }
  return k;
}

@group(0) @binding(6) var<storage, read_write> scr: array<f32>; // hck | partial sums
@group(0) @binding(7) var<storage, read> dout: array<f32>;   // (B, L, E)
@group(0) @binding(8) var<storage, read_write> du: array<f32>;     // (B, L, E)
@group(0) @binding(9) var<storage, read_write> ddelta: array<f32>; // (B, L, E)
@group(0) @binding(10) var<storage, read_write> dz: array<f32>;    // (B, L, E), GATED only

var<workgroup> red: array<f32, S * 2u * NS * EB>; // [step][v][channel]: v < N dB's g Δ u, else dC's dy h_t
var<workgroup> part3: array<f32, S * 3u * G * EB>; // [step][du | dΔ | y][group][channel], this thread's states

// dout of one block's steps, loaded with the block (0 past L or E)
fn load_dout(b: u32, blk: u32, e: u32) -> array<f32, SMAX> {
  var d: array<f32, SMAX>;
  for (var s = 0u; s < S; s++) {
    let t = blk * S + s;
    d[s] = 0.0;
    if (e < p.chans && t < p.len) { d[s] = dout[(b * p.len + t) * p.chans + e]; }
  }
  return d;
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
  let e_ok = e < E;
  let ec = min(e, E - 1u); // padding channels: u = Δ = dy = 0, so they add nothing
  var A = load_a(ec, q);
  var k: array<f32, NMAX>;   // adjoint handed to the previous step, Ā_{t+1} g_{t+1} (starts at 0)
  var dA: array<f32, NMAX>;  // Σ_t Δ Ā h_{t−1} g (starts at 0)
  var hs: array<f32, HMAX>;  // the segment's h_{t−1}, [block][step][j]
  let dskip = ad[ec * (NS + 1u) + NS];
  var dD = 0.0;
  let bln = p.batch * L * NS;

  for (var seg = p.nseg; seg > 0u; seg--) {
    let blk0 = (seg - 1u) * M; // the segment's first block (its last ones may lie past L)
    // 1. the segment's states h_{t−1}, from its checkpoint (steps past L keep h: Δ = 0)
    var h: array<f32, NMAX>;
    let base = (b * p.nseg + seg - 1u) * NS * E + ec;
    for (var j = 0u; j < NPT; j++) { h[j] = select(0.0, scr[base + (j * G + q) * E], e_ok); }
    var ahead = load_block(b, blk0, e, q);
    for (var m = 0u; m < M; m++) {
      let cur = ahead;
      if (m + 1u < M) { ahead = load_block(b, blk0 + m + 1u, e, q); }
      for (var s = 0u; s < S; s++) {
        let dt = cur.dt[s];
        let dx = dt * cur.x[s];
        for (var j = 0u; j < NPT; j++) {
          let i = (m * S + s) * NPT + j;
          hs[i] = h[j];
          h[j] = exp(dt * A[j]) * h[j] + dx * cur.bn[s * NPT + j];
        }
      }
    }
    // 2. its blocks, last to first
    var next = load_block(b, blk0 + M - 1u, e, q);
    var nextDy = load_dout(b, blk0 + M - 1u, e);
    for (var m1 = M; m1 > 0u; m1--) {
      let m = m1 - 1u;
      let cur = next;
      let curDy = nextDy;
      if (m > 0u) {
        next = load_block(b, blk0 + m - 1u, e, q);
        nextDy = load_dout(b, blk0 + m - 1u, e);
      }
      let t0 = (blk0 + m) * S;
      // 2a. the adjoint, backwards through the block
      for (var s1 = S; s1 > 0u; s1--) {
        let s = s1 - 1u;
        let x = cur.x[s];
        let dt = cur.dt[s];
        let dy = gate(curDy[s], cur.z[s]);
        let dx = dt * x;
        var gbu = 0.0; // Σ_n g B
        var dd = 0.0;
        var y = 0.0;
        let rs = s * 2u * NS * EB + el;
        for (var j = 0u; j < NPT; j++) {
          let n = j * G + q;
          let i = (m * S + s) * NPT + j;
          let bn = cur.bn[s * NPT + j];
          let cn = cur.cn[s * NPT + j];
          let ab = exp(dt * A[j]);
          let hp = hs[i];
          let ht = ab * hp + dx * bn;
          let g = cn * dy + k[j];
          gbu += g * bn;
          let ahg = ab * hp * g;
          dd += g * bn * x + A[j] * ahg;
          dA[j] += dt * ahg;
          red[rs + n * EB] = g * dx;
          red[rs + (NS + n) * EB] = dy * ht;
          y += cn * ht;
          k[j] = ab * g;
        }
        let p3 = (s * 3u * G + q) * EB + el;
        part3[p3] = gbu * dt;
        part3[p3 + G * EB] = dd;
        part3[p3 + 2u * G * EB] = y;
        if (q == 0u) { dD += dy * x; }
      }
      workgroupBarrier();
      // 2b. du, dΔ, dz of the block's steps: thread (el, q) finishes steps q, q + G, …
      for (var s = q; s < S; s += G) {
        let t = t0 + s;
        if (e_ok && t < L) {
          let x = cur.x[s];
          var dus = 0.0;
          var dd = 0.0;
          var y = dskip * x;
          for (var g = 0u; g < G; g++) {
            let p3 = (s * 3u * G + g) * EB + el;
            dus += part3[p3];
            dd += part3[p3 + G * EB];
            y += part3[p3 + 2u * G * EB];
          }
          let dyo = curDy[s];
          let zv = cur.z[s];
          let dy = gate(dyo, zv);
          if (GATED) {
            let sg = 1.0 / (1.0 + exp(-zv));
            dz[(b * L + t) * E + e] = dyo * y * sg * (1.0 + zv * (1.0 - sg));
          }
          let gi = (b * L + t) * E + e;
          du[gi] = dus + dskip * dy;
          ddelta[gi] = dd;
        }
      }
      // 2c. dB, dC of the block summed over this workgroup's channels; the read order is
      //     rotated by thread so that neighbouring threads hit different banks
      for (var o = tid; o < S * 2u * NS; o += EB * G) {
        let s = o / (2u * NS);
        let v = o % (2u * NS);
        let t = t0 + s;
        var acc = 0.0;
        for (var c = 0u; c < EB; c++) { acc += red[o * EB + (c + o) % EB]; }
        if (t < L) {
          scr[p.off_db + wid.x * 2u * bln + (b * L + t) * 2u * NS + v] = acc;
        }
      }
      workgroupBarrier(); // red and part3 are rewritten by the next block
    }
  }

  // 3. per-batch partials of dA_log (= A · dA) and dD
  if (e_ok) {
    for (var j = 0u; j < NPT; j++) { scr[p.off_da + (b * E + e) * NS + j * G + q] = A[j] * dA[j]; }
    if (q == 0u) { scr[p.off_dd + b * E + e] = dD; }
  }
}
