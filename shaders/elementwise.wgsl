// Elementwise kernels: unary maps (and their backward), binary ops with the trailing
// broadcast the models need (b repeats over a's leading dims), and fill.
// OP (override) picks the function, so each op is its own specialised pipeline.

struct Params {
  n: u32,      // elements of the output
  nb: u32,     // elements of b (binary: b[i % nb]); unused elsewhere
  alpha: f32,  // scale factor / fill value
  _pad: u32,
}

override WG: u32 = 256u;
override OP: u32 = 0u;

const OP_GELU: u32 = 0u;
const OP_SILU: u32 = 1u;
const OP_SOFTPLUS: u32 = 2u;
const OP_EXP: u32 = 3u;
const OP_SCALE: u32 = 4u;
const OP_RELU: u32 = 5u;

const OP_ADD: u32 = 0u;
const OP_MUL: u32 = 1u;
const OP_SUB: u32 = 2u;

@group(0) @binding(0) var<uniform> p: Params;

fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

fn gelu_inner(x: f32) -> f32 {
  // clamp keeps tanh away from exp overflow on some drivers
  return clamp(0.7978845608028654 * (x + 0.044715 * x * x * x), -15.0, 15.0);
}

fn unary_f(x: f32) -> f32 {
  switch OP {
    case OP_GELU: { return 0.5 * x * (1.0 + tanh(gelu_inner(x))); }
    case OP_SILU: { return x * sigmoid(x); }
    case OP_SOFTPLUS: { return select(log(1.0 + exp(x)), x, x > 20.0); }
    case OP_EXP: { return exp(x); }
    case OP_SCALE: { return p.alpha * x; }
    case OP_RELU: { return max(x, 0.0); }
    default: { return x; }
  }
}

// d f(x) / dx
fn unary_df(x: f32) -> f32 {
  switch OP {
    case OP_GELU: {
      let t = tanh(gelu_inner(x));
      let du = 0.7978845608028654 * (1.0 + 3.0 * 0.044715 * x * x);
      return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du;
    }
    case OP_SILU: { let s = sigmoid(x); return s * (1.0 + x * (1.0 - s)); }
    case OP_SOFTPLUS: { return select(sigmoid(x), 1.0, x > 20.0); }
    case OP_EXP: { return exp(x); }
    case OP_SCALE: { return p.alpha; }
    case OP_RELU: { return select(0.0, 1.0, x > 0.0); }
    default: { return 1.0; }
  }
}

@group(0) @binding(1) var<storage, read> ux: array<f32>;
@group(0) @binding(2) var<storage, read_write> uout: array<f32>;

@compute @workgroup_size(WG)
fn unary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= p.n) { return; }
  uout[i] = unary_f(ux[i]);
}

// unary_backward: dx = dy * f'(x)
@group(0) @binding(1) var<storage, read> bx: array<f32>;
@group(0) @binding(2) var<storage, read> bdy: array<f32>;
@group(0) @binding(3) var<storage, read_write> bdx: array<f32>;

@compute @workgroup_size(WG)
fn unary_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= p.n) { return; }
  bdx[i] = bdy[i] * unary_df(bx[i]);
}

// binary: out[i] = a[i] OP b[i % nb]   (b broadcast over a's leading dims)
@group(0) @binding(1) var<storage, read> ba: array<f32>;
@group(0) @binding(2) var<storage, read> bb: array<f32>;
@group(0) @binding(3) var<storage, read_write> bout: array<f32>;

@compute @workgroup_size(WG)
fn binary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= p.n) { return; }
  let a = ba[i];
  let b = bb[i % p.nb];
  switch OP {
    case OP_ADD: { bout[i] = a + b; }
    case OP_MUL: { bout[i] = a * b; }
    case OP_SUB: { bout[i] = a - b; }
    default: { bout[i] = a; }
  }
}

// fill: out[i] = alpha
@group(0) @binding(1) var<storage, read_write> fout: array<f32>;

@compute @workgroup_size(WG)
fn fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= p.n) { return; }
  fout[i] = p.alpha;
}
