// Adapter and device: one function for browser and Node. The caller supplies the `GPU`
// object (navigator.gpu, or the `webgpu` package's create()); we request every limit the
// adapter offers and report a lost device through a callback.

export interface GpuInfo {
  /** Human-readable adapter name, e.g. "NVIDIA H200 (vulkan)" or "llvmpipe (vulkan)". */
  adapterName: string;
  hasSubgroups: boolean;
  /** 'timestamp-query' granted: GpuContext.timeDispatches can measure each dispatch. */
  hasTimestamps?: boolean;
}

export interface DeviceLostInfo {
  reason: string;
  message: string;
}

export interface InitDeviceOptions {
  powerPreference?: GPUPowerPreference;
  onLost?: (info: DeviceLostInfo) => void;
  onUncapturedError?: (message: string) => void;
  /** Ask for exactly these limits, WebGPU's defaults for the rest, instead of the adapter's
   *  maxima: a device with a browser's limits, to check what fits them. */
  requiredLimits?: Record<string, number>;
}

export class NoAdapterError extends Error {
  constructor(detail: string) {
    super(`No WebGPU adapter was found (${detail}).`);
    this.name = 'NoAdapterError';
  }
}

/** Limits we ask for: the adapter's own maxima for everything that sizes a model. */
const LIMITS_TO_RAISE = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxBindGroups',
] as const;

export function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  const parts = [info?.description || info?.device || info?.vendor || 'unknown adapter'];
  if (info?.architecture) parts.push(info.architecture);
  if ((info as { backend?: string } | undefined)?.backend) parts.push(`(${(info as { backend?: string }).backend})`);
  return parts.filter(Boolean).join(' ');
}

export async function initDevice(
  gpu: GPU,
  opts: InitDeviceOptions = {},
): Promise<{ device: GPUDevice; info: GpuInfo }> {
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new NoAdapterError('requestAdapter() returned null');
  const offered = adapter.limits as unknown as Record<string, number>;
  const requiredLimits =
    opts.requiredLimits ??
    Object.fromEntries(
      LIMITS_TO_RAISE.filter((name) => typeof offered[name] === 'number').map((name) => [name, offered[name]]),
    );
  const hasSubgroups = adapter.features.has('subgroups');
  const requiredFeatures: GPUFeatureName[] = [];
  if (hasSubgroups) requiredFeatures.push('subgroups' as GPUFeatureName);
  const hasTimestamps = adapter.features.has('timestamp-query');
  if (hasTimestamps) requiredFeatures.push('timestamp-query');
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  device.lost.then((info) => {
    if (info.reason !== 'destroyed') opts.onLost?.({ reason: info.reason, message: info.message });
  });
  if (opts.onUncapturedError) {
    device.addEventListener('uncapturederror', (ev) =>
      opts.onUncapturedError!((ev as GPUUncapturedErrorEvent).error.message),
    );
  }
  return { device, info: { adapterName: describeAdapter(adapter), hasSubgroups, hasTimestamps } };
}
