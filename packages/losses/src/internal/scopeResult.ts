/**
 * `scope` for functions that return a result object typed as an interface. The engine accepts
 * any object of tensors; TypeScript's `TensorContainer` wants an index signature, which
 * interfaces (the documented result types) do not declare.
 */
import { scope, type TensorContainer } from '@llmkit/tensor-gpu';

export function scopeResult<T extends object>(fn: () => T): T {
  return scope(fn as () => TensorContainer) as T;
}
