// Gradient-norm clipping and Adam over the flat parameter arena (one thread per value).
//   sumsq_partial: partials[w] = Σ grad² over workgroup w's chunk
//   norm_final:    norm[0] = sqrt(Σ partials)   (one workgroup)
//   adam:          g ← grad · min(1, clip / (norm + 1e-6)); PyTorch Adam update of p, m, v

struct Params {
  n: u32,          // values in the arena
  n_partials: u32, // workgroups of sumsq_partial
  beta1: f32,
  beta2: f32,
  eps: f32,
  clip: f32,       // max global norm (0 = no clipping)
  _pad0: u32,
  _pad1: u32,
}

override WG: u32 = 256u;
override PER_THREAD: u32 = 16u;

@group(0) @binding(0) var<uniform> p: Params;

var<workgroup> scratch: array<f32, WG>;

fn wg_sum(lid: u32, v: f32) -> f32 {
  scratch[lid] = v;
  var stride = WG / 2u;
  loop {
    if (stride == 0u) { break; }
    workgroupBarrier();
    if (lid < stride) { scratch[lid] += scratch[lid + stride]; }
    stride = stride / 2u;
  }
  workgroupBarrier();
  return scratch[0];
}

@group(0) @binding(1) var<storage, read> sq_grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> sq_partials: array<f32>;

@compute @workgroup_size(WG)
fn sumsq_partial(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = wid.x + wid.y * nwg.x;
  let base = w * WG * PER_THREAD + lid3.x;
  var acc = 0.0;
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = base + k * WG; // coalesced: neighbours read neighbours
    if (i < p.n) { let g = sq_grad[i]; acc += g * g; }
  }
  let total = wg_sum(lid3.x, acc);
  if (lid3.x == 0u && w < p.n_partials) { sq_partials[w] = total; }
}

@group(0) @binding(1) var<storage, read> nf_partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> nf_norm: array<f32>;

@compute @workgroup_size(WG)
fn norm_final(@builtin(local_invocation_id) lid3: vec3<u32>) {
  var acc = 0.0;
  for (var i = lid3.x; i < p.n_partials; i += WG) { acc += nf_partials[i]; }
  let total = wg_sum(lid3.x, acc);
  if (lid3.x == 0u) { nf_norm[0] = sqrt(total); }
}

// state: [lr, 1 − β1^t, 1 − β2^t, unused], written by the host each step
@group(0) @binding(1) var<storage, read> state: array<f32>;
@group(0) @binding(2) var<storage, read> norm: array<f32>;
@group(0) @binding(3) var<storage, read> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> param: array<f32>;
@group(0) @binding(5) var<storage, read_write> m: array<f32>;
@group(0) @binding(6) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(WG)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  var scale = 1.0;
  if (p.clip > 0.0) { scale = min(1.0, p.clip / (norm[0] + 1e-6)); }
  let g = grad[i] * scale;
  let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  let mhat = mi / state[1];
  let vhat = vi / state[2];
  param[i] = param[i] - state[0] * mhat / (sqrt(vhat) + p.eps);
}
