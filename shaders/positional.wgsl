// Learned positional embedding: out[b, t, c] = x[b, t, c] + wpe[t, c] for t < T, and its
// backward for the embedding table: dwpe[t, c] = Σ_b dout[b, t, c] for t < T, 0 for the rows
// T ≤ t < maxT (the gradient has the parameter's full shape, and planned buffers hold garbage).
// B = batch, T = time, C = channels, maxT = rows of the table.

struct Params {
  n: u32,      // elements of x: B·T·C
  tc: u32,     // T·C: elements of one sequence, the rows of wpe in use
  batch: u32,  // B
  nwpe: u32,   // maxT·C: elements of the table
}

override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> p: Params;

fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@group(0) @binding(1) var<storage, read> x: array<f32>;             // (B, T, C)
@group(0) @binding(2) var<storage, read> wpe: array<f32>;           // (maxT, C)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;     // (B, T, C)

@compute @workgroup_size(WG)
fn add_positional(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= p.n) { return; }
  out[i] = x[i] + wpe[i % p.tc];
}

// One thread per table element; consecutive threads read consecutive dout values of a batch.
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (B, T, C)
@group(0) @binding(2) var<storage, read_write> dwpe: array<f32>;    // (maxT, C)

@compute @workgroup_size(WG)
fn add_positional_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= p.nwpe) { return; }
  var acc = 0.0;
  if (i < p.tc) {
    for (var b = 0u; b < p.batch; b++) { acc += dout[b * p.tc + i]; }
  }
  dwpe[i] = acc;
}
