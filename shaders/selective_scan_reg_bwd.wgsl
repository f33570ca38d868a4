// Selective scan, backward of the "register" kernels (see selective_scan_reg.wgsl for the
// recurrences and the layout). One thread per (batch b, channel e), blocks of S steps from
// last to first: recompute the block's S states h_{t−1} from its checkpoint into registers,
// then run the adjoint k backwards through them. dB, dC (sums over channels) go through
// workgroup memory once per block.

struct Params {
  batch: u32,
  len: u32,
  chans: u32,
  nchunks: u32, // blocks of S steps
  neb: u32,
  off_dc: u32,
  off_da: u32,
  off_dd: u32,
}

const NMAX = 16u;
const SMAX = 4u;
override EB: u32 = 32u;
override S: u32 = 4u;
override NS: u32 = 16u;
override GATED: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> u: array<f32>;      // (B, L, E)
@group(0) @binding(2) var<storage, read> delta: array<f32>;  // (B, L, E)
@group(0) @binding(3) var<storage, read> ad: array<f32>;     // (E, N + 1): A_log | D
@group(0) @binding(4) var<storage, read> bc: array<f32>;     // (B, L, 2N): B | C
@group(0) @binding(5) var<storage, read> z: array<f32>;      // (B, L, E), GATED only
@group(0) @binding(6) var<storage, read> hck: array<f32>;    // (B, nblk, N, E)
@group(0) @binding(7) var<storage, read> dout: array<f32>;   // (B, L, E)
@group(0) @binding(8) var<storage, read_write> dud: array<f32>;    // (B, L, 2E): du | dΔ
@group(0) @binding(9) var<storage, read_write> dz: array<f32>;     // (B, L, E), GATED only
@group(0) @binding(10) var<storage, read_write> part: array<f32>;  // partial sums

// [step s][value v][channel]: v < N is dB's g Δ u, v ≥ N is dC's dy h_t
var<workgroup> red: array<f32, S * 2u * NS * EB>;

@compute @workgroup_size(EB)
fn scan_bwd_reg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let el = lid.x;
  let e = wid.x * EB + el;
  let b = wid.y;
  let E = p.chans;
  let L = p.len;
  let e_ok = e < E;
  let ec = min(e, E - 1u); // padding channels read a real channel's A and D, with u = Δ = dy = 0
  var A: array<f32, NMAX>;
  var k: array<f32, NMAX>;   // adjoint handed to the previous step, Ā_{t+1} g_{t+1}
  var dA: array<f32, NMAX>;  // Σ_t Δ Ā h_{t−1} g
  var hs: array<f32, SMAX * NMAX>; // the block's h_{t−1}, [step][state]
  for (var n = 0u; n < NS; n++) {
    A[n] = -exp(ad[ec * (NS + 1u) + n]);
    k[n] = 0.0;
    dA[n] = 0.0;
  }
  let dskip = ad[ec * (NS + 1u) + NS];
  var dD = 0.0;
  let bln = p.batch * L * NS;

  for (var blk = p.nchunks; blk > 0u; blk--) {
    let t0 = (blk - 1u) * S;
    // 1. states h_{t−1} of the block's steps, from its checkpoint (steps past L keep h: Δ = 0)
    var h: array<f32, NMAX>;
    let base = (b * p.nchunks + blk - 1u) * NS * E + ec;
    for (var n = 0u; n < NS; n++) { h[n] = select(0.0, hck[base + n * E], e_ok); }
    for (var s = 0u; s < S; s++) {
      let t = t0 + s;
      var dx = 0.0;
      var dt = 0.0;
      if (e_ok && t < L) {
        let gi = (b * L + t) * E + e;
        dt = delta[gi];
        dx = dt * u[gi];
      }
      let r = (b * L + min(t, L - 1u)) * 2u * NS;
      for (var n = 0u; n < NS; n++) {
        hs[s * NMAX + n] = h[n];
        h[n] = exp(dt * A[n]) * h[n] + dx * bc[r + n];
      }
    }
    // 2. the adjoint, backwards through the block
    for (var s1 = S; s1 > 0u; s1--) {
      let s = s1 - 1u;
      let t = t0 + s;
      var x = 0.0;
      var dt = 0.0;
      var dyo = 0.0;
      var zv = 0.0;
      let ok = e_ok && t < L;
      let gi = (b * L + t) * E + e;
      if (ok) {
        x = u[gi];
        dt = delta[gi];
        dyo = dout[gi];
        if (GATED) { zv = z[gi]; }
      }
      var dy = dyo;
      var sg = 0.0;
      if (GATED) {
        sg = 1.0 / (1.0 + exp(-zv));
        dy = dyo * zv * sg;
      }
      let dx = dt * x;
      let r = (b * L + min(t, L - 1u)) * 2u * NS;
      var du = dskip * dy;
      var dd = 0.0;
      var y = dskip * x;
      let rs = s * 2u * NS * EB + el;
      for (var n = 0u; n < NS; n++) {
        let bn = bc[r + n];
        let cn = bc[r + NS + n];
        let ab = exp(dt * A[n]);
        let hp = hs[s * NMAX + n];
        let ht = ab * hp + dx * bn;
        let g = cn * dy + k[n];
        du += g * dt * bn;
        let ahg = ab * hp * g;
        dd += g * bn * x + A[n] * ahg;
        dA[n] += dt * ahg;
        red[rs + n * EB] = g * dx;
        red[rs + (NS + n) * EB] = dy * ht;
        y += cn * ht;
        k[n] = ab * g;
      }
      dD += dy * x;
      if (ok) {
        let gd = (b * L + t) * 2u * E + e;
        dud[gd] = du;
        dud[gd + E] = dd;
        if (GATED) { dz[gi] = dyo * y * sg * (1.0 + zv * (1.0 - sg)); }
      }
    }
    workgroupBarrier();
    // 3. dB, dC of the block summed over this workgroup's channels; the read order is
    //    rotated by thread so that the threads hit different banks
    for (var o = el; o < S * 2u * NS; o += EB) {
      let s = o / (2u * NS);
      let v = o % (2u * NS);
      let t = t0 + s;
      var acc = 0.0;
      for (var c = 0u; c < EB; c++) { acc += red[o * EB + (c + el) % EB]; }
      if (t < L) {
        let n = v % NS;
        let at = wid.x * bln + (b * L + t) * NS + n;
        if (v < NS) { part[at] = acc; } else { part[p.off_dc + at] = acc; }
      }
    }
    workgroupBarrier(); // red is rewritten by the next block
  }

  // 4. per-batch partials of dA_log (= A · dA) and dD
  if (e_ok) {
    for (var n = 0u; n < NS; n++) { part[p.off_da + (b * E + e) * NS + n] = A[n] * dA[n]; }
    part[p.off_dd + b * E + e] = dD;
  }
}
