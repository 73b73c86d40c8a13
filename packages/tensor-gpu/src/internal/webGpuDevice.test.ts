/**
 * The WebGPU device llmkit starts: it has 'shader-f16' wherever the adapter does (tfjs's own
 * factory never asks for it), the adapter's limits for storage buffers and workgroup memory, and
 * `ComputeInfo` says whether f16 compute is on. Skipped, saying why, without any adapter.
 */
import { describe, expect, it } from 'vitest';
import { webGpuUnavailable } from '../../test/fusedTestKit.js';
import { initCompute } from '../compute.js';
import { tf } from './engine.js';
import { f16Unavailable } from './webGpuDevice.js';

const unavailable = await webGpuUnavailable();
/** The note without shader-f16 (on NVIDIA adapters it adds why Dawn withholds the feature). */
const LACKING =
  /^f16 compute: off \(the adapter lacks shader-f16(: Dawn's Vulkan backend withholds it from NVIDIA GPUs, crbug\.com\/tint\/2164)?\)$/;

interface Limits {
  readonly [name: string]: number;
}
interface Gpu {
  requestAdapter(options?: object): Promise<{
    features: ReadonlySet<string>;
    limits: Limits;
  } | null>;
}

describe.skipIf(unavailable !== '')(
  `the WebGPU device${unavailable ? ` — skipped: ${unavailable}` : ''}`,
  () => {
    it("has shader-f16 where the adapter does, the adapter's limits, and says so", async () => {
      const info = await initCompute({ backend: 'webgpu' });
      const gpu = (globalThis as unknown as { navigator: { gpu: Gpu } }).navigator.gpu;
      const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' }))!;
      const device = (
        tf.backend() as unknown as { device: { features: ReadonlySet<string>; limits: Limits } }
      ).device;
      const f16 = adapter.features.has('shader-f16');
      expect(device.features.has('shader-f16')).toBe(f16);
      expect(info.features.includes('shader-f16')).toBe(f16);
      expect(info.precision).toBe('f32');
      expect(info.notes).toContainEqual(
        f16
          ? "f16 compute: available (the device has shader-f16), off until precision: 'f16'"
          : expect.stringMatching(LACKING),
      );
      for (const name of ['maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize']) {
        expect(device.limits[name], name).toBe(adapter.limits[name]);
      }
      // Starting again (or switching back from another backend) keeps the same device.
      await initCompute({ backend: 'cpu' });
      await initCompute({ backend: 'webgpu' });
      expect((tf.backend() as unknown as { device: unknown }).device).toBe(device);
    }, 60_000);

    it("reports precision 'f16' only where the device and the kernel mode allow it", async () => {
      const info = await initCompute({ backend: 'webgpu', precision: 'f16' });
      const f16 = info.features.includes('shader-f16');
      expect(info.precision).toBe(f16 ? 'f16' : 'f32');
      expect(info.notes).toContainEqual(
        f16 ? 'f16 compute: on (the device has shader-f16)' : expect.stringMatching(LACKING),
      );
      const engine = await initCompute({ backend: 'webgpu', precision: 'f16', kernels: 'engine' });
      expect(engine.precision).toBe('f32');
      if (f16)
        expect(engine.notes).toContain("f16 compute: off (precision 'f16' needs kernels: 'fast')");
    }, 60_000);
  },
);

describe('f16Unavailable', () => {
  it('says why an adapter without shader-f16 has none, naming Dawn’s NVIDIA exclusion', async () => {
    await initCompute({ backend: 'cpu' });
    const adapter = (vendor: string) => ({ features: new Set<string>(), info: { vendor } });
    expect(f16Unavailable(adapter('nvidia'))).toMatch(/NVIDIA GPUs, crbug\.com\/tint\/2164$/);
    expect(f16Unavailable(adapter('amd'))).toBe('the adapter lacks shader-f16');
    expect(f16Unavailable({ features: new Set(['shader-f16']), info: { vendor: 'amd' } })).toMatch(
      /^the WebGPU backend was started through tfjs before initCompute/,
    );
  });
});
