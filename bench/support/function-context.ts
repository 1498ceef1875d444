/** A function node's context for benchmarks: quiet, no connections, the given code with a 100 ms / 16 MB limit. */
import type { NodeContext } from '../../src/spec/runtime-contract.js';

export type FunctionBenchConfig = { code: string; outputs: number; timeoutMs: number; memoryMb: number };

export function functionBenchContext(code: string): NodeContext<FunctionBenchConfig> {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  return {
    nodeId: 'fn',
    name: 'fn',
    config: { code, outputs: 1, timeoutMs: 100, memoryMb: 16 },
    log: quiet,
    signal: new AbortController().signal,
    status() {},
    publish() {},
    ingest: () => undefined,
    ingestFailed: () => undefined,
    emitDerived: () => undefined,
    connection: () => Promise.reject(new Error('none')),
    connectionConfig: () => {
      throw new Error('none');
    },
  };
}
