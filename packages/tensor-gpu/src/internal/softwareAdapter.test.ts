/**
 * 'auto' passes over a software WebGPU adapter (Mesa's lavapipe in CI) for the CPU backends,
 * saying why, while backend: 'webgpu' still uses it. Skipped, saying why, without any adapter.
 */
import { describe, expect, it } from 'vitest';
import { webGpuUnavailable } from '../../test/fusedTestKit.js';
import { initCompute } from '../compute.js';

const unavailable = await webGpuUnavailable();
const software =
  unavailable === '' &&
  /llvmpipe|lavapipe|swiftshader|software/i.test((await initCompute({ backend: 'webgpu' })).device);

describe.skipIf(!software)(
  `software WebGPU adapters${software ? '' : ` — skipped: ${unavailable || 'the adapter here is hardware'}`}`,
  () => {
    it("are passed over by 'auto' with the reason, and used when named", async () => {
      const auto = await initCompute();
      expect(auto.backend).not.toBe('webgpu');
      expect(auto.fallbacks[0]).toMatchObject({
        backend: 'webgpu',
        reason: expect.stringMatching(/software/),
      });
      expect((await initCompute({ backend: 'webgpu' })).backend).toBe('webgpu');
    });
  },
);
