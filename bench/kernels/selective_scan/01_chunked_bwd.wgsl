// Selective scan, backward: the forward's scan run again inside each chunk (from the saved
// chunk-start state) to get h_{t−1}, then the adjoint scan in reverse time.
// Legend: B batch, L length, E channels, N state (NS), CH = T·S steps per chunk.
// With k_t = Ā_t g_t (the adjoint handed to step t−1) the reverse recurrence is
//   g_t = C_t dy_t + k_{t+1},   k_t = Ā_t k_{t+1} + Ā_t C_t dy_t,
// the same associative scan over (Ā_t, Ā_t C_t dy_t) pairs, folded from the end. Then
//   du_t = Σ_n g Δ B + D dy;   dΔ_t = Σ_n (g B u + A Ā h_{t−1} g);   dA_log = A Σ_{b,t} Δ Ā h_{t−1} g
//   dB_{t,n} = Σ_e g Δ u;      dC_{t,n} = Σ_e dy h_t;                dD = Σ_{b,t} dy u
//   dz = dout · y · SiLU'(z) (GATED; dy = dout · SiLU(z)).
// Sums over channels and batch are written as partials without atomics and summed by
// sum_partials (shaders/reduce.wgsl). The partials share one buffer with the forward's saved states:
// scr = [saved states (B, nchunks, N, E) | dB|dC (nEB, B, L, 2N) | dA_log (B, E, N) | dD (B, E)].
// Workgroup layout as in 01_chunked_fwd.wgsl (EB channels × T lanes, chunks of CH steps),
// chunks visited last to first.

struct Params {
  batch: u32,
  len: u32,
  chans: u32,
  nchunks: u32,
  neb: u32,    // number of channel blocks, ceil(E / EB)
  nseg: u32,   // (the register kernels' segments; unused here)
  // offsets (floats) of the partial sections in `scr`
  off_db: u32,
  off_da: u32,
  off_dd: u32,
  _pad0: u32,
  _pad1: u32,
}

override EB: u32 = 32u;
override T: u32 = 4u;
override S: u32 = 4u;
override NS: u32 = 16u;
override GATED: bool = false;
override CH: u32 = T * S;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> u: array<f32>;      // (B, L, E)
@group(0) @binding(2) var<storage, read> delta: array<f32>;  // (B, L, E)
// Packed as in the forward (A_log | D, B | C), and the partials written after the saved
// states in one buffer, so that this kernel binds 10 storage buffers, the most browsers offer.
@group(0) @binding(3) var<storage, read> ad: array<f32>;     // (E, N + 1): A_log | D
@group(0) @binding(4) var<storage, read> bc: array<f32>;     // (B, L, 2N): B | C
@group(0) @binding(5) var<storage, read> z: array<f32>;      // (B, L, E), GATED only
@group(0) @binding(6) var<storage, read_write> scr: array<f32>; // saved states | partial sums, see above
@group(0) @binding(7) var<storage, read> dout: array<f32>;   // (B, L, E)
@group(0) @binding(8) var<storage, read_write> du: array<f32>;     // (B, L, E)
@group(0) @binding(9) var<storage, read_write> ddelta: array<f32>; // (B, L, E)
@group(0) @binding(10) var<storage, read_write> dz: array<f32>;    // (B, L, E), GATED only

var<workgroup> su: array<f32, CH * EB>;   // [step][channel] tiles of the chunk
var<workgroup> sd: array<f32, CH * EB>;   // Δ
var<workgroup> sdy: array<f32, CH * EB>;  // dy = ∂L/∂y
var<workgroup> sy: array<f32, CH * EB>;   // y (recomputed, GATED only)
var<workgroup> sdu: array<f32, CH * EB>;  // du accumulated over states
var<workgroup> sdd: array<f32, CH * EB>;  // dΔ accumulated over states
var<workgroup> sh: array<f32, CH * EB>;   // h_{t−1} of the current state, then dy·h_t
var<workgroup> sgb: array<f32, CH * EB>;  // g Δ u of the current state (for dB)
var<workgroup> scan_a: array<f32, T * EB>;
var<workgroup> scan_b: array<f32, T * EB>;
var<workgroup> kcarry: array<f32, 2u * NS * EB>; // k at the start of the later chunk
var<workgroup> sda: array<f32, NS * T * EB>;     // per-thread Σ Δ Ā h g, [n][lane][channel]

fn silu(x: f32) -> f32 { return x / (1.0 + exp(-x)); }

// Inclusive Hillis–Steele scan over the T lanes at slot `slot` (lane order given by the
// caller): returns nothing, leaves each slot's inclusive pair in scan_a/scan_b.
fn lane_scan(slot: u32, rank: u32, pa_in: f32, pb_in: f32) {
  var pa = pa_in;
  var pb = pb_in;
  scan_a[slot] = pa;
  scan_b[slot] = pb;
  for (var off = 1u; off < T; off *= 2u) {
    workgroupBarrier();
    var qa = 1.0;
    var qb = 0.0;
    if (rank >= off) { qa = scan_a[slot - off * EB]; qb = scan_b[slot - off * EB]; }
    workgroupBarrier();
    if (rank >= off) {
      pb = pa * qb + pb;
      pa = qa * pa;
      scan_a[slot] = pa;
      scan_b[slot] = pb;
    }
  }
  if (T > 1u) { workgroupBarrier(); } // with one lane, each thread reads only its own slots
}

@compute @workgroup_size(EB, T)
fn scan_bwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let el = lid.x;
  let lane = lid.y;
  let tid = lane * EB + el;
  let b = wid.y;
  let e0 = wid.x * EB;
  let e = e0 + el;
  let E = p.chans;
  let L = p.len;
  let e_ok = e < E;
  let rl = T - 1u - lane;        // lane rank in reverse time
  let rslot = rl * EB + el;      // scan slot for the reverse scan
  for (var i = tid; i < 2u * NS * EB; i += EB * T) { kcarry[i] = 0.0; }
  for (var n = 0u; n < NS; n++) { sda[(n * T + lane) * EB + el] = 0.0; }
  var dd_acc = 0.0; // Σ dy u for channel e0 + tid % EB (= el): this thread's tile columns

  for (var cc = 0u; cc < p.nchunks; cc++) {
    let c = p.nchunks - 1u - cc;
    let t0 = c * CH;
    let par = cc & 1u;
    // 1. tiles; padding rows and channels are zero (Δ = 0: identity pairs, no gradient)
    for (var i = tid; i < CH * EB; i += EB * T) {
      let t = t0 + i / EB;
      let ee = e0 + i % EB;
      var uv = 0.0;
      var dv = 0.0;
      var dyv = 0.0;
      var dsk = 0.0;
      if (t < L && ee < E) {
        let gi = (b * L + t) * E + ee;
        uv = u[gi];
        dv = delta[gi];
        dyv = dout[gi];
        if (GATED) { dyv = dyv * silu(z[gi]); }
        dsk = ad[ee * (NS + 1u) + NS];
      }
      su[i] = uv;
      sd[i] = dv;
      sdy[i] = dyv;
      sy[i] = dsk * uv;
      sdu[i] = dsk * dyv;
      sdd[i] = 0.0;
      dd_acc += dyv * uv;
    }
    workgroupBarrier();

    for (var n = 0u; n < NS; n++) {
      var an = 0.0;
      if (e_ok) { an = -exp(ad[e * (NS + 1u) + n]); }
      // 2. forward: fold, scan, replay from the saved chunk-start state, keeping h_{t−1}
      var pa = 1.0;
      var pb = 0.0;
      for (var s = 0u; s < S; s++) {
        let tt = lane * S + s;
        let t = min(t0 + tt, L - 1u);
        let dv = sd[tt * EB + el];
        let ab = exp(dv * an);
        pa = pa * ab;
        pb = ab * pb + dv * bc[(b * L + t) * 2u * NS + n] * su[tt * EB + el];
      }
      lane_scan(tid, lane, pa, pb);
      var h = 0.0;
      if (e_ok) { h = scr[((b * p.nchunks + c) * NS + n) * E + e]; }
      if (lane > 0u) { h = scan_a[tid - EB] * h + scan_b[tid - EB]; }
      for (var s = 0u; s < S; s++) {
        let tt = lane * S + s;
        let t = min(t0 + tt, L - 1u);
        let dv = sd[tt * EB + el];
        sh[tt * EB + el] = h;
        h = exp(dv * an) * h + dv * bc[(b * L + t) * 2u * NS + n] * su[tt * EB + el];
        if (GATED) { sy[tt * EB + el] += bc[(b * L + t) * 2u * NS + NS + n] * h; }
      }
      if (T > 1u) { workgroupBarrier(); } // scan_a/b are reused below

      // 3. reverse: fold (Ā, Ā C dy) from the segment's end, scan lanes in reverse order
      pa = 1.0;
      pb = 0.0;
      for (var s = S; s > 0u; s--) {
        let tt = lane * S + s - 1u;
        let t = min(t0 + tt, L - 1u);
        let ab = exp(sd[tt * EB + el] * an);
        pa = pa * ab;
        pb = ab * pb + ab * bc[(b * L + t) * 2u * NS + NS + n] * sdy[tt * EB + el];
      }
      lane_scan(rslot, rl, pa, pb);
      let kc = kcarry[(par * NS + n) * EB + el];
      var k = kc;
      if (rl > 0u) { k = scan_a[rslot - EB] * kc + scan_b[rslot - EB]; }
      var da = 0.0;
      for (var s = S; s > 0u; s--) {
        let tt = lane * S + s - 1u;
        let ti = tt * EB + el;
        let t = min(t0 + tt, L - 1u);
        let dv = sd[ti];
        let uv = su[ti];
        let dyv = sdy[ti];
        let bv = bc[(b * L + t) * 2u * NS + n];
        let ab = exp(dv * an);
        let hp = sh[ti];
        let g = bc[(b * L + t) * 2u * NS + NS + n] * dyv + k;
        sdu[ti] += g * dv * bv;
        sdd[ti] += g * bv * uv + an * ab * hp * g;
        da += dv * ab * hp * g;
        sgb[ti] = g * dv * uv;
        sh[ti] = dyv * (ab * hp + dv * bv * uv); // dy · h_t, for dC
        k = ab * g;
      }
      sda[(n * T + lane) * EB + el] += da;
      if (lane == 0u) { kcarry[((1u - par) * NS + n) * EB + el] = k; }
      workgroupBarrier();

      // 4. dB, dC of this state: sum the tile's channels, one partial per channel block
      let bln = p.batch * L * NS;
      for (var j = tid; j < 2u * CH; j += EB * T) {
        let row = j % CH;
        let t = t0 + row;
        if (t < L) {
          var acc = 0.0;
          if (j < CH) {
            for (var x = 0u; x < EB; x++) { acc += sgb[row * EB + x]; }
            scr[p.off_db + wid.x * 2u * bln + (b * L + t) * 2u * NS + n] = acc;
          } else {
            for (var x = 0u; x < EB; x++) { acc += sh[row * EB + x]; }
            scr[p.off_db + wid.x * 2u * bln + (b * L + t) * 2u * NS + NS + n] = acc;
          }
        }
      }
      workgroupBarrier(); // sgb, sh, scan_a/b are rewritten by the next state
    }

    // 5. write du, dΔ (and dz) of the chunk
    for (var i = tid; i < CH * EB; i += EB * T) {
      let t = t0 + i / EB;
      let ee = e0 + i % EB;
      if (t < L && ee < E) {
        let gi = (b * L + t) * E + ee;
        du[gi] = sdu[i];
        ddelta[gi] = sdd[i];
        if (GATED) {
          let zv = z[gi];
          let sg = 1.0 / (1.0 + exp(-zv));
          dz[gi] = dout[gi] * sy[i] * sg * (1.0 + zv * (1.0 - sg));
        }
      }
    }
    workgroupBarrier();
  }

  // 6. per-batch partials of dA_log (= A · dA) and dD, summed over this workgroup's lanes
  if (lane == 0u && e_ok) {
    for (var n = 0u; n < NS; n++) {
      var acc = 0.0;
      for (var l = 0u; l < T; l++) { acc += sda[(n * T + l) * EB + el]; }
      scr[p.off_da + (b * E + e) * NS + n] = -exp(ad[e * (NS + 1u) + n]) * acc;
    }
  }
  scan_a[tid] = dd_acc;
  workgroupBarrier();
  if (lane == 0u && e_ok) {
    var acc = 0.0;
    for (var l = 0u; l < T; l++) { acc += scan_a[l * EB + el]; }
    scr[p.off_dd + b * E + e] = acc;
  }
}
