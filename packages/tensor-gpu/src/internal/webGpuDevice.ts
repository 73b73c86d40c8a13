/**
 * The GPU device under the engine's 'webgpu' backend. tfjs-backend-webgpu registers a factory
 * that requests only 'timestamp-query' and 'bgra8unorm-storage', so WGSL with `enable f16;`
 * cannot compile on its device. `registerWebGpuFactory` replaces that factory (before the backend
 * first starts) with one that builds tfjs's own `WebGPUBackend` on a device requested with
 * 'shader-f16' as well, where the adapter has it, and the adapter's limits.
 */
import { tf } from './engine.js';

export interface GpuDeviceLike {
  readonly features: ReadonlySet<string>;
  createShaderModule(descriptor: { code: string; label?: string }): unknown;
}

export interface GpuAdapterLike {
  readonly features: ReadonlySet<string>;
  readonly limits: unknown;
  readonly info?: {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  requestDevice(descriptor: {
    requiredFeatures: string[];
    requiredLimits: Record<string, number>;
  }): Promise<GpuDeviceLike>;
}

/** What `import('@tensorflow/tfjs-backend-webgpu')` provides that is used here. */
export interface WebGpuModule {
  readonly WebGPUBackend: new (device: GpuDeviceLike, adapterInfo?: unknown) => unknown;
}

/** Features tfjs-backend-webgpu asks for when the adapter has them, and the one f16 WGSL needs. */
const DEVICE_FEATURES = ['timestamp-query', 'bgra8unorm-storage', 'shader-f16'];
/**
 * Limits raised to the adapter's: the ones tfjs-backend-webgpu's own factory requests
 * (tf-backend-webgpu.node.js, `registerBackend('webgpu', …)`), plus storage buffers per shader
 * stage, which bounds the inputs of one kernel (AddN, the attention backward's six).
 */
const DEVICE_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
];

/** Devices made by the factory below, on which f16 programs compile. */
const f16Devices = new WeakSet<object>();
let ownFactory = false;

/**
 * tfjs-backend-webgpu writes a program's code after its own declarations (bindings, uniforms,
 * helpers), but WGSL requires `enable` directives before any declaration (WGSL §4.1); on devices
 * of ours, a program's `enable f16;` is moved to the front of the module.
 */
function hoistEnableF16(device: GpuDeviceLike): void {
  const create = device.createShaderModule.bind(device);
  const directive = 'enable f16;';
  Object.defineProperty(device, 'createShaderModule', {
    value: (descriptor: { code: string; label?: string }) =>
      create(
        descriptor.code.includes(directive)
          ? { ...descriptor, code: `${directive}\n${descriptor.code.replace(directive, '')}` }
          : descriptor,
      ),
  });
  f16Devices.add(device);
}

/**
 * Makes the engine's 'webgpu' backend start on a device requested by llmkit. A backend already
 * started (by the caller, through tfjs) is kept as it is; f16 compute is then off.
 */
export function registerWebGpuFactory(module: WebGpuModule, adapter: GpuAdapterLike): void {
  const engine = tf.engine();
  if (ownFactory || engine.registry.webgpu !== undefined) return;
  if (engine.registryFactory.webgpu !== undefined) tf.removeBackend('webgpu');
  const limits = adapter.limits as Record<string, number | undefined>;
  const requiredLimits: Record<string, number> = {};
  for (const name of DEVICE_LIMITS) {
    const value = limits[name];
    if (value !== undefined) requiredLimits[name] = value;
  }
  const requiredFeatures = DEVICE_FEATURES.filter((feature) => adapter.features.has(feature));
  tf.registerBackend(
    'webgpu',
    async () => {
      const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
      if (device.features.has('shader-f16')) hoistEnableF16(device);
      return new module.WebGPUBackend(device, adapter.info) as never;
    },
    3, // tfjs-backend-webgpu's priority
  );
  ownFactory = true;
}

/** Why the current WebGPU backend cannot run f16 programs, or '' when it can. */
export function f16Unavailable(adapter: Pick<GpuAdapterLike, 'features' | 'info'>): string {
  const device = (tf.backend() as { device?: GpuDeviceLike }).device;
  if (device !== undefined && f16Devices.has(device)) return '';
  if (adapter.features.has('shader-f16'))
    return 'the WebGPU backend was started through tfjs before initCompute, on a device without shader-f16';
  // Dawn's Vulkan backend leaves the feature off on NVIDIA GPUs even where the driver has
  // shaderFloat16 (PhysicalDeviceVk.cpp, crbug.com/tint/2164).
  return adapter.info?.vendor === 'nvidia'
    ? "the adapter lacks shader-f16: Dawn's Vulkan backend withholds it from NVIDIA GPUs, crbug.com/tint/2164"
    : 'the adapter lacks shader-f16';
}
