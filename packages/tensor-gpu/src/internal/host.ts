/**
 * What the host offers, read without importing Node modules statically (the package must also
 * load in browsers): Node's modules come from `process.getBuiltinModule` (Node ≥ 20.16).
 */

interface NodeOs {
  availableParallelism(): number;
  cpus(): { model: string }[];
}

interface HostProcess {
  versions?: { node?: string };
  getBuiltinModule?: (name: string) => unknown;
}

const hostProcess = (globalThis as { process?: HostProcess }).process;

/** True under Node.js (and runtimes that present themselves as Node). */
export const isNode: boolean = typeof hostProcess?.versions?.node === 'string';

function nodeOs(): NodeOs | undefined {
  return hostProcess?.getBuiltinModule?.('node:os') as NodeOs | undefined;
}

/** Logical CPU cores the process may use. */
export function hardwareThreads(): number {
  const os = nodeOs();
  if (os) return os.availableParallelism();
  const navigatorThreads = (globalThis as { navigator?: { hardwareConcurrency?: number } })
    .navigator?.hardwareConcurrency;
  return navigatorThreads !== undefined && navigatorThreads > 0 ? navigatorThreads : 1;
}

/** The CPU's model name where the host reveals it (Node), else a generic description. */
export function cpuModel(): string {
  const model = nodeOs()?.cpus()[0]?.model?.trim();
  return model !== undefined && model !== '' ? model : 'CPU';
}
