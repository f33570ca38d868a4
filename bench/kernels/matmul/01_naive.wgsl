// 01 naive (after shaders/matmul_common.wgsl): one output per thread, straight from global
// memory, WG_X × WG_Y threads per workgroup. The reference GPU variant of the benchmark.
// Constants of the prelude: WG_X, WG_Y, ACT, HAS_BIAS, and the codes of matmul_common.wgsl.

@group(0) @binding(3) var<storage, read> bias: array<f32>; // (N); read only with HAS_BIAS
@group(0) @binding(4) var<storage, read_write> c: array<f32>; // (batch, M, N)
@group(0) @binding(5) var<storage, read_write> pre: array<f32>; // (batch, M, N), written with ACT

fn epilogue(zi: u32, m: u32, n: u32, acc: f32) {
  var z = acc;
  if (HAS_BIAS) { z += bias[n]; }
  let i = (zi * p.M + m) * p.N + n;
  if (ACT != ACT_NONE) { pre[i] = z; }
  c[i] = act_f(z);
}

@compute @workgroup_size(WG_X, WG_Y)
fn naive(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = gid.x;
  let m = gid.y;
  if (m >= p.M || n >= p.N) { return; }
  let s = slice_of(gid.z);
  let a0 = s.batch * p.a_sb + m * p.a_sm;
  let b0 = s.batch * p.b_sb + n * p.b_sn;
  var acc = 0.0;
  for (var k = s.k_lo; k < s.k_hi; k++) {
    acc = fma(a[a0 + k * p.a_sk], b[b0 + k * p.b_sk], acc);
  }
  epilogue(gid.z, m, n, acc);
}
