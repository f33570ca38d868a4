// Fused causal multi-head softmax attention, flash style (FlashAttention-2's loop order).
// B = batch, T = time, H = heads, HD = head dim, C = H·HD.
// qkv (B, T, 3C) is GPT-2's c_attn output: q | k | v, head h in channels h·HD … h·HD+HD−1 of
// each third. Scores s_ij = q_i·k_j / √HD for j ≤ i; out_i = Σ_j softmax_j(s_i·) v_j.
//
// One thread owns one row (a query, or a key in attention_backward_dkv) and keeps that row's
// vectors and accumulators in registers; a workgroup of ROWS threads owns a block of rows of
// one (batch, head) and streams the other side through workgroup memory in tiles of TILE rows.
// Grid: (⌈T/ROWS⌉, B·H folded into y and z). Every vector is read as vec4 (HD % 4 == 0).
//
//   attention_forward       online softmax over key tiles; writes out and the log-sum-exp
//                           lse_i = log Σ_j exp(s_ij) (B, H, T), natural log
//   attention_backward_dq   Δ_i = dO_i·O_i, then dq_i = Σ_j p_ij (dO_i·v_j − Δ_i) k_j / √HD
//                           with p_ij = exp(s_ij − lse_i) recomputed; writes Δ (B, H, T)
//   attention_backward_dkv  per key j over query tiles i ≥ j: dv_j = Σ_i p_ij dO_i,
//                           dk_j = Σ_i p_ij (dO_i·v_j − Δ_i) q_i / √HD
// dq lands in the q third of dqkv, dk and dv in the k and v thirds: each element has exactly
// one writer, so there are no atomics. Exponentials are exp2 of scores pre-scaled by log2 e.

struct Params {
  batch: u32,  // B
  T: u32,      // sequence length
  heads: u32,  // H
  C: u32,      // H·HD
  scale: f32,  // 1/√HD
}

override HD: u32 = 32u;             // head dim, a multiple of 4, ≤ 4·MAX_HD4
override HD4: u32 = HD / 4u;        // vec4s per head vector
override ROWS: u32 = 64u;           // rows (threads) per workgroup
override TILE: u32 = 32u;           // rows per workgroup-memory tile, ≤ MAX_TILE
override TILE_VECS: u32 = TILE * HD4;
const MAX_HD4: u32 = 16u;           // register arrays' capacity (HD ≤ 64)
const MAX_TILE: u32 = 64u;
const LOG2E: f32 = 1.4426950408889634;
const LN2: f32 = 0.6931471805599453;
const NEG: f32 = -1e30;             // masked score: finite, so no inf arithmetic anywhere

@group(0) @binding(0) var<uniform> p: Params;

// Index (in vec4s) of head h's part of row t of sequence b in qkv; `third` 0 = q, 1 = k, 2 = v.
fn qkv_index(b: u32, t: u32, h: u32, third: u32) -> u32 {
  let c4 = p.C / 4u;
  return (b * p.T + t) * 3u * c4 + third * c4 + h * HD4;
}

fn out_index(b: u32, t: u32, h: u32) -> u32 {
  return (b * p.T + t) * (p.C / 4u) + h * HD4;
}

fn batch_head(wid: vec3<u32>) -> u32 {
  return wid.y + wid.z * 65535u;
}

// Tiles of the other side's vectors (keys and values, or queries and output gradients).
var<workgroup> tile_a: array<vec4<f32>, TILE_VECS>;
var<workgroup> tile_b: array<vec4<f32>, TILE_VECS>;
var<workgroup> tile_lse: array<f32, TILE>;    // dkv: log2-scaled lse of the tile's queries
var<workgroup> tile_delta: array<f32, TILE>;  // dkv: Δ of the tile's queries

// Loads rows r0 … r0+TILE−1 of thirds (ta, tb) of head h into tile_a, tile_b; rows ≥ T are zero.
// Consecutive threads read consecutive vec4s of a row. Rows ≥ T read row T − 1 and select
// zero, without a branch (loads under one are not overlapped by the NVIDIA driver; see
// load_a4 in matmul.wgsl).
fn load_tiles(lid: u32, b: u32, h: u32, r0: u32, ta: u32, tb: u32) {
  for (var e = lid; e < TILE_VECS; e += ROWS) {
    let r = r0 + e / HD4;
    let rc = min(r, p.T - 1u);
    let d = e % HD4;
    tile_a[e] = select(vec4(0.0), qkv[qkv_index(b, rc, h, ta) + d], r < p.T);
    tile_b[e] = select(vec4(0.0), qkv[qkv_index(b, rc, h, tb) + d], r < p.T);
  }
}

@group(0) @binding(1) var<storage, read> qkv: array<vec4<f32>>;            // (B, T, 3C)

// ---- forward ----------------------------------------------------------------------------

@group(0) @binding(2) var<storage, read_write> fout: array<vec4<f32>>;     // (B, T, C)
@group(0) @binding(3) var<storage, read_write> flse: array<f32>;           // (B, H, T)

@compute @workgroup_size(ROWS)
fn attention_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let bh = batch_head(wid);
  if (bh >= p.batch * p.heads) { return; }
  let b = bh / p.heads;
  let h = bh % p.heads;
  let q0 = wid.x * ROWS;
  let i = q0 + lid;                 // this thread's query; rows ≥ T compute but do not write
  let qrow = qkv_index(b, min(i, p.T - 1u), h, 0u);
  let c = p.scale * LOG2E;
  var q: array<vec4<f32>, MAX_HD4>;
  var o: array<vec4<f32>, MAX_HD4>;
  for (var d = 0u; d < HD4; d++) {
    q[d] = qkv[qrow + d] * c;
    o[d] = vec4(0.0);
  }
  var m = NEG;  // running max of the log2-scaled scores
  var l = 0.0;  // running Σ exp2(s − m)

  let kend = min(p.T, q0 + ROWS); // causal: this block needs keys < kend only
  for (var k0 = 0u; k0 < kend; k0 += TILE) {
    workgroupBarrier(); // the previous tile has been used by every thread
    load_tiles(lid, b, h, k0, 1u, 2u);
    workgroupBarrier();
    var s: array<f32, MAX_TILE>;
    var mt = m;
    for (var j = 0u; j < TILE; j++) {
      var acc = 0.0;
      for (var d = 0u; d < HD4; d++) { acc += dot(q[d], tile_a[j * HD4 + d]); }
      // keys past the query are masked; so are keys ≥ T, since a written query has i < T
      let sj = select(NEG, acc, k0 + j <= i);
      s[j] = sj;
      mt = max(mt, sj);
    }
    let alpha = exp2(m - mt);
    l *= alpha;
    for (var d = 0u; d < HD4; d++) { o[d] *= alpha; }
    for (var j = 0u; j < TILE; j++) {
      let pj = exp2(s[j] - mt);
      l += pj;
      for (var d = 0u; d < HD4; d++) { o[d] += pj * tile_b[j * HD4 + d]; }
    }
    m = mt;
  }

  if (i < p.T) {
    let inv = 1.0 / l;
    let orow = out_index(b, i, h);
    for (var d = 0u; d < HD4; d++) { fout[orow + d] = o[d] * inv; }
    flse[bh * p.T + i] = (m + log2(l)) * LN2;
  }
}

// ---- backward: Δ and dq, one thread per query --------------------------------------------

@group(0) @binding(2) var<storage, read> bout: array<vec4<f32>>;           // (B, T, C)  O
@group(0) @binding(3) var<storage, read> bdout: array<vec4<f32>>;          // (B, T, C)  dO
@group(0) @binding(4) var<storage, read> blse: array<f32>;                 // (B, H, T)
@group(0) @binding(5) var<storage, read_write> bdelta: array<f32>;         // (B, H, T)
@group(0) @binding(6) var<storage, read_write> bdqkv: array<vec4<f32>>;    // (B, T, 3C)

@compute @workgroup_size(ROWS)
fn attention_backward_dq(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let bh = batch_head(wid);
  if (bh >= p.batch * p.heads) { return; }
  let b = bh / p.heads;
  let h = bh % p.heads;
  let q0 = wid.x * ROWS;
  let i = q0 + lid;
  let ic = min(i, p.T - 1u);
  let qrow = qkv_index(b, ic, h, 0u);
  let orow = out_index(b, ic, h);
  let c = p.scale * LOG2E;
  var q: array<vec4<f32>, MAX_HD4>;
  var dO: array<vec4<f32>, MAX_HD4>;
  var dq: array<vec4<f32>, MAX_HD4>;
  var delta = 0.0;
  for (var d = 0u; d < HD4; d++) {
    q[d] = qkv[qrow + d] * c;
    dO[d] = bdout[orow + d];
    delta += dot(dO[d], bout[orow + d]);
    dq[d] = vec4(0.0);
  }
  let lse2 = blse[bh * p.T + ic] * LOG2E;

  let kend = min(p.T, q0 + ROWS);
  for (var k0 = 0u; k0 < kend; k0 += TILE) {
    workgroupBarrier();
    load_tiles(lid, b, h, k0, 1u, 2u);
    workgroupBarrier();
    for (var j = 0u; j < TILE; j++) {
      var s = 0.0;
      var dp = 0.0;
      for (var d = 0u; d < HD4; d++) {
        s += dot(q[d], tile_a[j * HD4 + d]);
        dp += dot(dO[d], tile_b[j * HD4 + d]);
      }
      let pij = select(0.0, exp2(s - lse2), k0 + j <= i);
      let ds = pij * (dp - delta);
      for (var d = 0u; d < HD4; d++) { dq[d] += ds * tile_a[j * HD4 + d]; }
    }
  }

  if (i < p.T) {
    let dqrow = qkv_index(b, i, h, 0u);
    for (var d = 0u; d < HD4; d++) { bdqkv[dqrow + d] = dq[d] * p.scale; }
    bdelta[bh * p.T + i] = delta;
  }
}

// ---- backward: dk and dv, one thread per key ---------------------------------------------

@group(0) @binding(2) var<storage, read> kdout: array<vec4<f32>>;          // (B, T, C)  dO
@group(0) @binding(3) var<storage, read> klse: array<f32>;                 // (B, H, T)
@group(0) @binding(4) var<storage, read> kdelta: array<f32>;               // (B, H, T)
@group(0) @binding(5) var<storage, read_write> kdqkv: array<vec4<f32>>;    // (B, T, 3C)

@compute @workgroup_size(ROWS)
fn attention_backward_dkv(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let bh = batch_head(wid);
  if (bh >= p.batch * p.heads) { return; }
  let b = bh / p.heads;
  let h = bh % p.heads;
  let k0 = wid.x * ROWS;
  let j = k0 + lid;                 // this thread's key
  let jc = min(j, p.T - 1u);
  let krow = qkv_index(b, jc, h, 1u);
  let c = p.scale * LOG2E;
  var k: array<vec4<f32>, MAX_HD4>;
  var v: array<vec4<f32>, MAX_HD4>;
  var dk: array<vec4<f32>, MAX_HD4>;
  var dv: array<vec4<f32>, MAX_HD4>;
  for (var d = 0u; d < HD4; d++) {
    k[d] = qkv[krow + d] * c;
    v[d] = qkv[krow + p.C / 4u + d];
    dk[d] = vec4(0.0);
    dv[d] = vec4(0.0);
  }

  // causal: queries i ≥ j ≥ k0 only
  for (var t0 = k0; t0 < p.T; t0 += TILE) {
    workgroupBarrier();
    for (var e = lid; e < TILE_VECS; e += ROWS) {
      let r = t0 + e / HD4;
      let rc = min(r, p.T - 1u); // no branch, as in load_tiles
      let d = e % HD4;
      tile_a[e] = select(vec4(0.0), qkv[qkv_index(b, rc, h, 0u) + d], r < p.T);
      tile_b[e] = select(vec4(0.0), kdout[out_index(b, rc, h) + d], r < p.T);
    }
    for (var e = lid; e < TILE; e += ROWS) {
      let r = min(t0 + e, p.T - 1u); // rows ≥ T are masked below
      tile_lse[e] = klse[bh * p.T + r] * LOG2E;
      tile_delta[e] = kdelta[bh * p.T + r];
    }
    workgroupBarrier();
    for (var t = 0u; t < TILE; t++) {
      let i = t0 + t;
      var s = 0.0;
      var dp = 0.0;
      for (var d = 0u; d < HD4; d++) {
        s += dot(tile_a[t * HD4 + d], k[d]);
        dp += dot(tile_b[t * HD4 + d], v[d]);
      }
      let pij = select(0.0, exp2(s - tile_lse[t]), i >= j && i < p.T);
      let ds = pij * (dp - tile_delta[t]);
      for (var d = 0u; d < HD4; d++) {
        dv[d] += pij * tile_b[t * HD4 + d];
        dk[d] += ds * tile_a[t * HD4 + d];
      }
    }
  }

  if (j < p.T) {
    let dkrow = qkv_index(b, j, h, 1u);
    let c4 = p.C / 4u;
    for (var d = 0u; d < HD4; d++) {
      kdqkv[dkrow + d] = dk[d] * p.scale;
      kdqkv[dkrow + c4 + d] = dv[d];
    }
  }
}
