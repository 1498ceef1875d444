/**
 * Fault suite, HTTP -> HTTP: `sluice run` with http-in -> http-out, killed with SIGKILL twice while clients post to
 * it. A client counts a message as sent only on a 2xx answer and retries anything else (503, a refused or broken
 * connection) as webhook senders do; http-in answers 2xx only after http-out had a 2xx from the target server. So
 * every message a client saw accepted must be at the target: nothing lost, duplicates counted.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, sendUntilOk, TestServer } from '../nodes/http/support.js';
import { printTable, record, SluiceRun, size, sleep, tmpDir, waitFor } from './harness.js';
import { lostAndDuplicates } from './oracles.js';

const COUNT = size(1_500, 20_000);
const CLIENTS = 16;

describe('fault suite: HTTP -> HTTP', { timeout: size(240_000, 1_200_000) }, () => {
  const names: string[] = [];
  afterAll(() => printTable('HTTP -> HTTP', names));

  it('kill -9 of sluice run mid-stream, twice: nothing a client saw accepted is lost', async () => {
    const scenario = 'http kill -9 x2';
    names.push(scenario);
    const target = await TestServer.start(() => ({ delayMs: 2 }));
    const dir = tmpDir('http');
    const port = await freePort();
    const flowFile = join(dir, 'flow.json');
    writeFileSync(
      flowFile,
      JSON.stringify({
        format: 'sluice/flow@1',
        id: `http-kill-${randomUUID().slice(0, 6)}`,
        settings: { maxInFlight: 200 },
        connections: [{ id: 'web', kind: 'http-server', config: { host: '127.0.0.1', port } }],
        nodes: [
          { id: 'hook', type: 'http-in', config: { connection: 'web', path: '/ingest', resendAfterSeconds: 0 } },
          { id: 'post', type: 'http-out', config: { url: `${target.url}/store`, idHeader: 'idempotency-key' } },
        ],
        edges: [{ source: 'hook', sourcePort: 'out', target: 'post', targetPort: 'in' }],
      }),
    );
    const url = `http://127.0.0.1:${port}/ingest`;
    const accepted = new Set<string>();
    const run = randomUUID().slice(0, 8);
    const queue = Array.from({ length: COUNT }, (_, i) => i);
    const stop = new AbortController();
    const clients = Array.from({ length: CLIENTS }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const id = `${run}-${i}`;
        await sendUntilOk(url, {
          body: JSON.stringify({ id, seq: i }),
          headers: { 'content-type': 'application/json', 'x-request-id': id },
          delayMs: 100,
          signal: stop.signal,
        });
        accepted.add(id);
      }
    });

    let sluice = await SluiceRun.start(flowFile);
    let peakRssKb = 0;
    const started = Date.now();
    try {
      for (const share of [0.25, 0.6]) {
        await waitFor(() => accepted.size >= COUNT * share, 120_000);
        sluice.kill('SIGKILL');
        await sluice.exited;
        peakRssKb = Math.max(peakRssKb, sluice.peakRssKb);
        await sleep(300);
        sluice = await SluiceRun.start(flowFile);
      }
      const done = await waitFor(() => accepted.size >= COUNT, 180_000);
      expect(done, `only ${accepted.size} of ${COUNT} accepted`).toBe(true);
    } finally {
      stop.abort();
      await Promise.allSettled(clients);
      sluice.kill('SIGTERM');
      await sluice.exited;
      peakRssKb = Math.max(peakRssKb, sluice.peakRssKb);
      await target.close();
    }
    const seen = new Map<string, number>();
    for (const r of target.received) {
      const id = r.headers['idempotency-key'] as string;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    const { lost, duplicates } = lostAndDuplicates(accepted, seen);
    record({
      scenario,
      messages: accepted.size,
      lost,
      duplicates,
      peakRssMb: Math.round(peakRssKb / 1024),
      recoverMs: Number.NaN,
      note: `${CLIENTS} clients retrying until 2xx, ${Math.round((Date.now() - started) / 1000)} s`,
    });
    expect(accepted.size).toBe(COUNT);
    expect(lost).toBe(0);
  });
});
