/**
 * The editor's MQTT topic browser: on demand, one short-lived subscriber per open browser panel that counts
 * messages per topic (rate, size) and keeps the last payload of each, decoded for display as JSON, text or
 * Sparkplug B. Bounded: at most MAX_TOPICS topics and MAX_KEPT_BYTES of kept payloads per session, at most
 * MAX_SESSIONS sessions; a session nobody polled for IDLE_MS is closed (the panel was closed or the tab died).
 */
import '../connectors/mqtt/quiet-debug.js'; // before mqtt: see quiet-debug.ts
import { randomBytes } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import { endClient } from '../connectors/mqtt/lifecycle.js';
import { clientOptions, type MqttSettings } from '../connectors/mqtt/settings.js';
import type { SluiceLogger } from '../runtime/log.js';
import { ApiError } from './errors.js';
import type { BrowseView, TopicView, ValueFormat } from './protocol.js';

export const BROWSE_LIMITS = {
  maxTopics: 2000,
  /** Of one topic's last payload; a longer one is kept cut (and shown as such). */
  maxValueBytes: 16 * 1024,
  /** Of all the last payloads one session keeps. */
  maxKeptBytes: 4 * 1024 * 1024,
  maxSessions: 8,
  idleMs: 30_000,
};

const RATE_WINDOW = 32;
const RATE_SPAN_MS = 10_000;

interface TopicStat {
  count: number;
  /** Arrival times, a ring of RATE_WINDOW. */
  times: number[];
  last: Buffer | undefined;
  size: number;
  retained: boolean;
  lastAt: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

type SparkplugDecoder = (bytes: Uint8Array) => unknown;
/** protobufjs is loaded with the first browser, not with the server. */
let decodeSparkplug: SparkplugDecoder | undefined;
async function loadSparkplug(): Promise<void> {
  decodeSparkplug ??= (await import('../connectors/sparkplug/decode.js')).decodeSparkplug;
}

/** How a payload is shown: Sparkplug on `spBv1.0/` topics, else JSON, else text, else bytes (base64). */
export function displayValue(topic: string, bytes: Buffer, cut: boolean): { format: ValueFormat; value: unknown } {
  if (decodeSparkplug && topic.startsWith('spBv1.0/') && !topic.startsWith('spBv1.0/STATE/') && !cut) {
    try {
      return { format: 'sparkplug', value: decodeSparkplug(bytes) };
    } catch {
      // not Sparkplug after all: shown as what it is
    }
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { format: 'bytes', value: bytes.toString('base64') };
  }
  if (!cut) {
    try {
      return { format: 'json', value: JSON.parse(text) };
    } catch {
      // text
    }
  }
  return { format: 'text', value: text };
}

class BrowseSession {
  private readonly topics = new Map<string, TopicStat>();
  private kept = 0;
  private messages = 0;
  private untracked = new Set<string>();
  private error: string | undefined;
  polledAt = Date.now();

  constructor(
    readonly id: string,
    readonly filter: string,
    readonly client: MqttClient,
  ) {
    client.on('message', (topic, payload, packet) => this.record(topic, payload, packet.retain));
    client.on('error', (err) => {
      this.error = err.message;
    });
    client.on('connect', () => {
      this.error = undefined;
    });
  }

  private record(topic: string, payload: Buffer, retained: boolean): void {
    this.messages++;
    let s = this.topics.get(topic);
    if (!s) {
      if (this.topics.size >= BROWSE_LIMITS.maxTopics) {
        // Only the count of untracked topics is kept, itself bounded.
        if (this.untracked.size < 100_000) this.untracked.add(topic);
        return;
      }
      s = { count: 0, times: [], last: undefined, size: 0, retained: false, lastAt: 0 };
      this.topics.set(topic, s);
    }
    const now = Date.now();
    s.count++;
    if (s.times.length >= RATE_WINDOW) s.times.shift();
    s.times.push(now);
    s.lastAt = now;
    s.size = payload.length;
    s.retained = retained;
    const keep = Math.min(payload.length, BROWSE_LIMITS.maxValueBytes);
    const before = s.last?.length ?? 0;
    if (this.kept - before + keep <= BROWSE_LIMITS.maxKeptBytes) {
      // A copy: mqtt.js's buffer may be a slice of a larger socket read.
      s.last = Buffer.from(payload.subarray(0, keep));
      this.kept += keep - before;
    } else {
      s.last = undefined;
      this.kept -= before;
    }
  }

  view(): BrowseView {
    this.polledAt = Date.now();
    const now = Date.now();
    const topics: TopicView[] = [];
    for (const [topic, s] of this.topics) {
      const recent = s.times.filter((t) => now - t <= RATE_SPAN_MS);
      const rate =
        recent.length >= 2 ? ((recent.length - 1) * 1000) / Math.max(1, now - recent[0]) : recent.length / 10;
      const cut = s.last === undefined || s.last.length < s.size;
      const shown = s.last ? displayValue(topic, s.last, cut) : { format: 'bytes' as const, value: null };
      topics.push({
        topic,
        count: s.count,
        ratePerSecond: Math.round(rate * 100) / 100,
        lastAt: s.lastAt,
        size: s.size,
        retained: s.retained,
        format: shown.format,
        value: shown.value,
        truncated: cut,
      });
    }
    topics.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
    return {
      id: this.id,
      filter: this.filter,
      connected: this.client.connected,
      ...(this.error ? { error: this.error } : {}),
      messages: this.messages,
      untrackedTopics: this.untracked.size,
      topics,
    };
  }
}

export class TopicBrowser {
  private readonly sessions = new Map<string, BrowseSession>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly log: SluiceLogger) {
    this.sweeper = setInterval(() => this.sweep(), 5000);
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Subscribe to `filter` on a broker; resolves with the session id once subscribed (or fails with the reason). */
  async open(settings: MqttSettings, filter: string, timeoutMs = 10_000): Promise<string> {
    if (this.sessions.size >= BROWSE_LIMITS.maxSessions) {
      throw new ApiError(
        429,
        'busy',
        `${BROWSE_LIMITS.maxSessions} topic browsers are open; close one (they close by themselves when not polled for ${BROWSE_LIMITS.idleMs / 1000} s)`,
      );
    }
    await loadSparkplug();
    const id = randomBytes(8).toString('hex');
    const client = connect(settings.url, {
      ...clientOptions(settings, { clientId: `sluice-browse-${id}`, clean: true }),
      // A browser must not hold a persistent session or queue anything at the broker.
      properties: settings.protocolVersion === '5' ? { sessionExpiryInterval: 0 } : undefined,
    });
    const session = new BrowseSession(id, filter, client);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no answer from ${settings.url} within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
        client.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        client.once('connect', () => {
          client.subscribe(filter, { qos: 0 }, (err, granted) => {
            clearTimeout(timer);
            const code = granted?.[0]?.qos;
            if (err) reject(err);
            else if (code !== undefined && code >= 0x80)
              reject(new Error(`the broker refused the subscription to ${filter}`));
            else resolve();
          });
        });
        client.connect();
      });
    } catch (err) {
      await endClient(client, 200);
      throw new ApiError(502, 'broker-unavailable', `cannot browse ${settings.url}: ${(err as Error).message}`);
    }
    this.sessions.set(id, session);
    this.log.info({ id, url: settings.url, filter }, 'topic browser opened');
    return id;
  }

  view(id: string): BrowseView {
    const s = this.sessions.get(id);
    if (!s)
      throw new ApiError(
        404,
        'not-found',
        `no topic browser ${id} (closed, or idle for ${BROWSE_LIMITS.idleMs / 1000} s)`,
      );
    return s.view();
  }

  async close(id: string): Promise<boolean> {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.sessions.delete(id);
    await endClient(s.client, 500);
    this.log.info({ id }, 'topic browser closed');
    return true;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) {
      if (now - s.polledAt > BROWSE_LIMITS.idleMs) void this.close(id);
    }
  }
}

export type { BrowseView, TopicView, ValueFormat };
