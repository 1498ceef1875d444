import { describe, expect, it } from 'vitest';
import { retryOptions, StatusReporter } from '../../src/kit/index.js';
import type { NodeStatus } from '../../src/spec/runtime-contract.js';

describe('StatusReporter', () => {
  it('reports each change once, with a reason only when there is one', () => {
    const seen: NodeStatus[] = [];
    const r = new StatusReporter((s) => seen.push(s));
    r.set('connecting');
    r.set('connecting');
    r.set('error', 'refused');
    r.set('error', 'refused');
    r.set('error', 'timed out');
    r.set('connected');
    expect(seen).toEqual([
      { state: 'connecting' },
      { state: 'error', reason: 'refused' },
      { state: 'error', reason: 'timed out' },
      { state: 'connected' },
    ]);
    expect(r.current).toBe('connected');
  });

  it('reports nothing once its signal is aborted (the node stopped)', () => {
    const seen: NodeStatus[] = [];
    const stop = new AbortController();
    const r = new StatusReporter((s) => seen.push(s), stop.signal);
    r.set('connected');
    stop.abort();
    r.set('error', 'closed');
    expect(seen).toEqual([{ state: 'connected' }]);
  });
});

describe('retryOptions', () => {
  it('maps the retry fields of a node config to the backoff the kit retries with', () => {
    const signal = new AbortController().signal;
    const retryable = () => true;
    expect(retryOptions({ attempts: 4, retryDelayMs: 250, retryMaxDelayMs: 9000 }, { signal, retryable })).toEqual({
      attempts: 4,
      baseMs: 250,
      maxMs: 9000,
      signal,
      retryable,
    });
  });
});
