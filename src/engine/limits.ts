// What an adapter's limits refuse in a planned dispatch, said as a sentence before WebGPU
// says it less clearly (or, in a compiled graph replayed without checks, not at all): a
// binding larger than maxStorageBufferBindingSize or at a misaligned offset, more storage
// buffers than a shader stage may bind, more workgroups than a grid dimension allows.
import { fmtBytes, type BufferSlice } from '../gpu/context';
import type { Dispatch } from './graph';

/** A planned graph needs more than this adapter's limits allow. */
export class PlanLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanLimitError';
  }
}

/** WebGPU rejected a bind group, pipeline or dispatch of a compiled graph. */
export class GraphRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphRejectedError';
  }
}

type Limits = Pick<
  GPUSupportedLimits,
  | 'maxStorageBufferBindingSize'
  | 'maxUniformBufferBindingSize'
  | 'minStorageBufferOffsetAlignment'
  | 'minUniformBufferOffsetAlignment'
  | 'maxStorageBuffersPerShaderStage'
  | 'maxComputeWorkgroupsPerDimension'
>;

/** The first thing in one dispatch's bindings (slices in binding order, the uniform first
 *  when the kernel has one) that these limits refuse, as a sentence; null when all fit. */
export function bindingProblem(d: Dispatch, slices: readonly BufferSlice[], limits: Limits): string | null {
  const { kernel } = d;
  const storage = kernel.bindings.filter((k) => k !== 'uniform').length;
  if (storage > limits.maxStorageBuffersPerShaderStage) {
    return (
      `The kernel "${kernel.name}" binds ${storage} storage buffers; this GPU allows ` +
      `${limits.maxStorageBuffersPerShaderStage} per shader stage.`
    );
  }
  const firstTensor = kernel.bindings[0] === 'uniform' ? 1 : 0;
  for (let i = 0; i < slices.length; i++) {
    const uniform = kernel.bindings[i] === 'uniform';
    const what = uniform ? 'its parameters' : `"${d.tensors[i - firstTensor].label}"`;
    const max = uniform ? limits.maxUniformBufferBindingSize : limits.maxStorageBufferBindingSize;
    if (slices[i].size > max) {
      return (
        `The kernel "${kernel.name}" binds ${fmtBytes(slices[i].size)} of ${what} (binding ${i}); this GPU ` +
        `binds at most ${fmtBytes(max)} per ${uniform ? 'uniform' : 'storage'} buffer.`
      );
    }
    const align = uniform ? limits.minUniformBufferOffsetAlignment : limits.minStorageBufferOffsetAlignment;
    if (slices[i].offset % align !== 0) {
      return (
        `The kernel "${kernel.name}" binds ${what} (binding ${i}) at byte ${slices[i].offset}, which is not a ` +
        `multiple of this GPU's offset alignment (${align}).`
      );
    }
  }
  if (d.workgroups.some((n) => n > limits.maxComputeWorkgroupsPerDimension)) {
    return (
      `The kernel "${kernel.name}" needs ${d.workgroups.join(' × ')} workgroups; this GPU allows ` +
      `${limits.maxComputeWorkgroupsPerDimension} per dimension.`
    );
  }
  return null;
}
