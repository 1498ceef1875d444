/**
 * Sluice's MQTT clients (src/connectors/mqtt/settings.ts) and the embedded broker turn off mqtt-packet's number
 * cache: 65,536 two-byte Buffers, ~6 MB of heap for the life of the process. The cache is global to a process, so each case runs in a
 * process of its own (number-cache-child.ts) against the real Mosquitto.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { requireService } from '../../support/services.js';
import { MOSQUITTO, uniqueBase } from './mqtt.js';

const run = await requireService('mosquitto');
const child = fileURLToPath(new URL('./number-cache-child.ts', import.meta.url));

async function cacheSizeAfter(mode: 'sluice' | 'embedded' | 'plain'): Promise<number> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', child, MOSQUITTO, uniqueBase('number-cache'), mode],
    { timeout: 30_000 },
  );
  return (JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { cacheSize: number }).cacheSize;
}

describe.runIf(run)("mqtt-packet's number cache", () => {
  it('is never built by a flow whose mqtt-in and mqtt-out moved a message', async () => {
    expect(await cacheSizeAfter('sluice')).toBe(0);
  }, 40_000);

  it('is never built once the embedded broker started, not even by plain clients with their defaults', async () => {
    expect(await cacheSizeAfter('embedded')).toBe(0);
  }, 40_000);

  it('is built by a plain mqtt.js client with its defaults (the check sees it)', async () => {
    expect(await cacheSizeAfter('plain')).toBe(65_536);
  }, 40_000);
});
