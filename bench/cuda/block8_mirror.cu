// A register-tiled matmul, the algorithm of shaders/matmul.wgsl's block8 kernels, written in
// CUDA as a yardstick: what the same algorithm gets from nvcc on an NVIDIA GPU.
// 128 × 128 tiles, BK 8, 256 threads of 8 × 8 outputs, double-buffered float4 tiles, plain A
// (M, K) and plain B (K, N), row-major, 4096³, checked against an f64 dot product on 64 samples.
// On an H200 it ran at 44.7 TFLOP/s (127 registers), where a WGSL 128 × 128 tile ran at 30.6.
// Two changes to the WGSL closed part of that gap (4096²: 37–38 TFLOP/s, bench/RESULTS.md):
// edge loads without a branch (a clamped address and a select), and k steps written out.
//   nvcc -O3 -arch=sm_90 --resource-usage [-DBK=16] [-DNOUNROLL] [-DCHECKS] -o mirror block8_mirror.cu && ./mirror
//   (CHECKS: edge checks in the loads, as branches; NOUNROLL: the k loop not unrolled)
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <cuda_runtime.h>
#ifndef BK
#define BK 8
#endif
#define ROW4 33
#ifndef TAG
#define TAG ""
#endif

__global__ void __launch_bounds__(256) mirror(const float4* __restrict__ a4, const float4* __restrict__ b4, float4* c4, int M, int K, int N) {
  __shared__ float4 Ar[2 * BK][ROW4];
  __shared__ float4 Br[2 * BK][ROW4];
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16, tid = threadIdx.x;
  const int n0 = blockIdx.x * 128, m0 = blockIdx.y * 128;
  float4 acc[16];
  for (int i = 0; i < 16; i++) acc[i] = make_float4(0, 0, 0, 0);
  auto fetch_a = [&](int k0, int e) { int m = e / (BK / 4), k = (e % (BK / 4)) * 4;
#ifdef CHECKS
    if (m0 + m >= M || k0 + k >= K) return make_float4(0, 0, 0, 0);
#endif
    return a4[((m0 + m) * K + k0 + k) / 4]; };
  auto put_a = [&](int j, int e, float4 v) {
    int m = e / (BK / 4), r = j * BK + (e % (BK / 4)) * 4;
    float* p = reinterpret_cast<float*>(&Ar[0][0]);
    p[(r + 0) * ROW4 * 4 + m] = v.x; p[(r + 1) * ROW4 * 4 + m] = v.y; p[(r + 2) * ROW4 * 4 + m] = v.z; p[(r + 3) * ROW4 * 4 + m] = v.w;
  };
  auto fetch_b = [&](int k0, int e) { int k = e / 32, n = (e % 32) * 4;
#ifdef CHECKS
    if (k0 + k >= K || n0 + n >= N) return make_float4(0, 0, 0, 0);
#endif
    return b4[((k0 + k) * N + n0 + n) / 4]; };
  auto put_b = [&](int j, int e, float4 v) { Br[j * BK + e / 32][e % 32] = v; };
  constexpr int LOADS = BK / 8; // vec4s of each tile per thread
  for (int i = 0; i < LOADS; i++) { put_a(0, tid + i * 256, fetch_a(0, tid + i * 256)); put_b(0, tid + i * 256, fetch_b(0, tid + i * 256)); }
  __syncthreads();
  int j = 0;
  for (int k0 = 0; k0 < K; k0 += BK) {
    bool more = k0 + BK < K;
    float4 ra[LOADS], rb[LOADS];
    if (more) for (int i = 0; i < LOADS; i++) { ra[i] = fetch_a(k0 + BK, tid + i * 256); rb[i] = fetch_b(k0 + BK, tid + i * 256); }
#ifdef NOUNROLL
#pragma unroll 1
#else
#pragma unroll
#endif
    for (int k = 0; k < BK; k++) {
      float4 alo = Ar[j * BK + k][ty], ahi = Ar[j * BK + k][ty + 16];
      float4 b0 = Br[j * BK + k][tx], b1 = Br[j * BK + k][tx + 16];
      float av[8] = {alo.x, alo.y, alo.z, alo.w, ahi.x, ahi.y, ahi.z, ahi.w};
#pragma unroll
      for (int r = 0; r < 8; r++) {
        acc[2 * r].x = fmaf(av[r], b0.x, acc[2 * r].x); acc[2 * r].y = fmaf(av[r], b0.y, acc[2 * r].y);
        acc[2 * r].z = fmaf(av[r], b0.z, acc[2 * r].z); acc[2 * r].w = fmaf(av[r], b0.w, acc[2 * r].w);
        acc[2 * r + 1].x = fmaf(av[r], b1.x, acc[2 * r + 1].x); acc[2 * r + 1].y = fmaf(av[r], b1.y, acc[2 * r + 1].y);
        acc[2 * r + 1].z = fmaf(av[r], b1.z, acc[2 * r + 1].z); acc[2 * r + 1].w = fmaf(av[r], b1.w, acc[2 * r + 1].w);
      }
    }
    if (more) for (int i = 0; i < LOADS; i++) { put_a(1 - j, tid + i * 256, ra[i]); put_b(1 - j, tid + i * 256, rb[i]); }
    __syncthreads();
    j = 1 - j;
  }
  for (int r = 0; r < 8; r++) {
    int m = m0 + (r < 4 ? 4 * ty + r : 64 + 4 * ty + r - 4);
    c4[(m * N + n0 + 4 * tx) / 4] = acc[2 * r];
    c4[(m * N + n0 + 64 + 4 * tx) / 4] = acc[2 * r + 1];
  }
}

int main() {
  const int n = 4096;
  float *a, *b, *c;
  cudaMalloc(&a, sizeof(float) * n * n); cudaMalloc(&b, sizeof(float) * n * n); cudaMalloc(&c, sizeof(float) * n * n);
  float* h = (float*)malloc(sizeof(float) * n * n * 3);
  for (long i = 0; i < 2L * n * n; i++) h[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
  cudaMemcpy(a, h, sizeof(float) * n * n, cudaMemcpyHostToDevice); cudaMemcpy(b, h + (long)n * n, sizeof(float) * n * n, cudaMemcpyHostToDevice);
  dim3 grid(n / 128, n / 128);
  for (int i = 0; i < 5; i++) mirror<<<grid, 256>>>((float4*)a, (float4*)b, (float4*)c, n, n, n);
  cudaEvent_t e0, e1; cudaEventCreate(&e0); cudaEventCreate(&e1);
  float best = 1e9;
  for (int rep = 0; rep < 5; rep++) {
    cudaEventRecord(e0);
    for (int i = 0; i < 20; i++) mirror<<<grid, 256>>>((float4*)a, (float4*)b, (float4*)c, n, n, n);
    cudaEventRecord(e1); cudaEventSynchronize(e1);
    float ms; cudaEventElapsedTime(&ms, e0, e1); ms /= 20; if (ms < best) best = ms;
  }
  cudaMemcpy(h + 2L * n * n, c, sizeof(float) * n * n, cudaMemcpyDeviceToHost);
  double maxerr = 0;
  for (int t = 0; t < 64; t++) {
    int m = (t * 977) % n, nn = (t * 1531) % n; double ref = 0;
    for (int k = 0; k < n; k++) ref += (double)h[(long)m * n + k] * h[(long)n * n + (long)k * n + nn];
    double err = fabs(ref - h[2L * n * n + (long)m * n + nn]); if (err > maxerr) maxerr = err;
  }
  printf("max abs err over 64 samples: %g\n", maxerr);
  printf("mirror " TAG " BK%d 4096^3: %.3f ms, %.1f TFLOP/s (%s)\n", BK, best, 2.0 * n * n * n / best / 1e9, cudaGetErrorString(cudaGetLastError()));
  return 0;
}
