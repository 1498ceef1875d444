/**
 * The shared client of one `amqp` connection: amqplib's recovering connection (reconnects with backoff on its own)
 * plus a status the nodes show. Channels are not recovered by amqplib: each node's ManagedChannel reopens its own.
 */
import { EventEmitter } from 'node:events';
import { type Channel, type ConfirmChannel, connect, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from '../../spec/runtime-contract.js';
import { type AmqpConnectionConfig, connectPlan } from './connect-options.js';
import { errorText, type LinkStatus, sameStatus } from './link-status.js';

/** The part of amqplib's frame multiplexer (lib/mux.js) that batchFrameWrites relies on. */
interface MuxInternals {
  out?: { cork?: () => void; uncork?: () => void };
  _readIncoming?: () => void;
}

/**
 * amqplib's multiplexer moves frames from the channels to the socket one `write` each: a socket write (a system
 * call) per publish, confirm or ack. Corking the socket for each of its passes sends a burst as one write. It only
 * changes how bytes are grouped into writes (order and back pressure stay amqplib's), and if amqplib's internals
 * are not as expected nothing is changed.
 */
function batchFrameWrites(model: unknown): boolean {
  const mux = (model as { connection?: { muxer?: MuxInternals } } | undefined)?.connection?.muxer;
  const out = mux?.out;
  const pass = mux?._readIncoming;
  if (!mux || typeof pass !== 'function' || typeof out?.cork !== 'function' || typeof out.uncork !== 'function') {
    return false;
  }
  const cork = out.cork.bind(out);
  const uncork = out.uncork.bind(out);
  mux._readIncoming = function (this: MuxInternals) {
    cork();
    try {
      pass.call(this);
    } finally {
      uncork();
    }
  };
  return true;
}

export class AmqpClient extends EventEmitter<{ status: [LinkStatus] }> {
  status: LinkStatus = { state: 'connecting' };
  /** The last connection sends bursts of frames in one socket write (false: amqplib changed; slower, still correct). */
  framesBatched = false;
  private closed = false;

  private constructor(
    private readonly model: RecoveringChannelModel,
    readonly describe: string,
    private readonly log: Logger,
  ) {
    super();
    model.on('connect', (inner: unknown) => {
      this.framesBatched = batchFrameWrites(inner);
      if (!this.framesBatched) log.debug('amqplib internals changed: one socket write per frame');
      log.info({ broker: describe }, 'AMQP connected');
      this.set({ state: 'connected' });
    });
    model.on('disconnect', (err: Error) => {
      log.warn({ broker: describe, err: errorText(err) }, 'AMQP connection lost');
      this.set({ state: 'error', reason: `connection lost: ${errorText(err)}` });
    });
    model.on('connect-failed', (err: Error) =>
      this.set({ state: 'error', reason: `cannot connect to ${describe}: ${errorText(err)}` }),
    );
    model.on('reconnect-scheduled', ({ attempt, delay, error }) => {
      if (attempt === 1 || attempt % 10 === 0)
        log.warn({ broker: describe, attempt, delay, err: errorText(error) }, 'AMQP reconnecting');
      this.set({ state: 'connecting', reason: `retry ${attempt} in ${delay} ms after: ${errorText(error)}` });
    });
    model.on('reconnect-failed', (err: Error) =>
      this.set({ state: 'error', reason: `gave up reconnecting: ${errorText(err)}` }),
    );
    model.on('blocked', (reason: string) =>
      this.set({ state: 'error', reason: `the broker blocks publishing: ${reason}` }),
    );
    model.on('unblocked', () => this.set({ state: 'connected' }));
    // Without a listener an 'error' event would crash the process; the 'disconnect' that follows drives recovery.
    model.on('error', (err: Error) => log.debug({ broker: describe, err: errorText(err) }, 'AMQP connection error'));
  }

  /** Starts connecting in the background; never waits for the broker (nodes show the state meanwhile). */
  static async open(config: AmqpConnectionConfig, ctx: { log: Logger; connectionId: string }): Promise<AmqpClient> {
    const plan = connectPlan(config, ctx.connectionId);
    const model = await connect(plan.endpoint, {
      ...plan.socket,
      recovery: {
        initialDelay: config.reconnectDelayMs,
        maxDelay: config.reconnectMaxDelayMs,
        factor: 2,
        jitter: 0.2,
        maxRetries: Number.POSITIVE_INFINITY,
        waitForConnect: false,
      },
    });
    return new AmqpClient(model, plan.describe, ctx.log);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A new channel (a confirm channel if asked); waits while the connection is down, rejects once closed. */
  channel(confirm: boolean): Promise<Channel | ConfirmChannel> {
    return confirm ? this.model.createConfirmChannel() : this.model.createChannel();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.model.close();
  }

  private set(status: LinkStatus): void {
    if (sameStatus(status, this.status)) return;
    this.status = status;
    this.emit('status', status);
  }
}
