/**
 * Shared test setup: fast-check runs synchronously, where Vitest's timeout cannot stop it, so a
 * property that fails slowly (a long shrink) is cut off here and reported as a failure.
 */
import fc from 'fast-check';

fc.configureGlobal({ interruptAfterTimeLimit: 30_000, markInterruptAsFailure: true });
