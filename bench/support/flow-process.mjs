/**
 * The measured process of the end-to-end benchmarks: plain `node`, no TypeScript loader, running what a user runs.
 *
 *   --flow               a Sluice flow on the compiled runtime (dist/, as `sluice run` does: heap growth limit,
 *                        validate, then Engine)
 *   --raw-mqtt <spec>    the raw pipe to MQTT: a plain mqtt.js QoS 1 subscriber (PUBACK on receipt) feeding a plain
 *                        mqtt.js QoS 1 publisher, no processing and no delivery guarantee
 *   --raw-kafka <spec>   the raw pipe to Kafka: the same subscriber feeding a plain kafkajs producer (batches of 500
 *                        or 5 ms, acks all)
 *
 * Why a process of its own: CPU and resident memory are then Sluice's alone. In the bench process they would include
 * the TypeScript loader (~55 MB of RSS), the other pipes and the bench's bookkeeping.
 *
 * Plain JavaScript because it must run without the loader. Protocol (IPC, see bench/support/flow-process.ts):
 * in `start {flow?}`, `measure`, `measured`, `quit`; out `ready`, `started`, `failed {message}`, `settled {n}`
 * (pushed at most every 5 ms while it changes), `use {cpuUs, maxRss, rssAtStart, gcMs, gcMaxMs, loopDelayP99Ms,
 * loopDelayMaxMs, atMaxRss}`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

// The client libraries are loaded by the mode that uses them: in --flow mode Sluice's runtime loads its own, as in
// `sluice run` (it prepares mqtt-packet's loggers before mqtt loads; see src/connectors/mqtt/quiet-debug.ts).
const mqttLib = async () => (await import('mqtt')).default;

const send = (m) => process.send?.(m);

/** Starts the pipe; resolves to `settled()` (messages finished, cumulative) and `stop()`. */
async function startFlow(flowDoc) {
  let runtime;
  try {
    runtime = {
      catalog: (await import('../../dist/nodes/catalog.js')).catalog,
      Engine: (await import('../../dist/src/runtime/engine.js')).Engine,
      createFlowValidator: (await import('../../dist/src/flow/validate.js')).createFlowValidator,
      limitHeapGrowth: (await import('../../dist/src/runtime/heap.js')).limitHeapGrowth,
    };
  } catch (err) {
    throw new Error(`the compiled runtime is missing (run \`npm run build\` first): ${err.message}`);
  }
  runtime.limitHeapGrowth(); // as `sluice run` does
  const { problems, flow } = runtime.createFlowValidator(runtime.catalog).validate(flowDoc);
  const errors = problems.filter((p) => p.severity === 'error');
  if (!flow || errors.length) throw new Error(`invalid flow: ${errors.map((p) => p.message).join('; ')}`);
  const engine = new runtime.Engine({ catalog: runtime.catalog });
  await engine.start(flow);
  // One node's counters: polled every 5 ms, so not every node's (that cost ~2% of the measured CPU).
  return { settled: () => engine.nodeCounters('in')?.acked ?? 0, stop: () => engine.stop() };
}

async function subscriber(url, root) {
  const mqtt = await mqttLib();
  const sub = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 0,
    properties: { receiveMaximum: 1000 },
  });
  await sub.subscribeAsync(`${root}/#`, { qos: 1 });
  return sub;
}

async function startRawMqtt({ url, root, outTopic }) {
  const sub = await subscriber(url, root);
  const mqtt = await mqttLib();
  const out = await mqtt.connectAsync(url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  let delivered = 0;
  const acked = () => {
    delivered++;
  };
  sub.on('message', (_topic, payload) => out.publish(outTopic, payload, { qos: 1 }, acked));
  return {
    settled: () => delivered,
    stop: async () => {
      await sub.endAsync();
      await out.endAsync();
    },
  };
}

async function startRawKafka({ url, root, brokers, topic }) {
  const { Kafka, logLevel, Partitioners } = await import('kafkajs');
  const producer = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const sub = await subscriber(url, root);
  let delivered = 0;
  let batch = [];
  let timer;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const messages = batch;
    batch = [];
    void producer.send({ topic, acks: -1, messages }).then(() => {
      delivered += messages.length;
    });
  };
  sub.on('message', (_t, payload) => {
    batch.push({ value: payload });
    if (batch.length >= 500) flush();
    else timer ??= setTimeout(flush, 5);
  });
  return {
    settled: () => delivered,
    stop: async () => {
      await sub.endAsync();
      await producer.disconnect();
    },
  };
}

/**
 * SLUICE_BENCH_ALLOC_PROFILE=<dir>: V8's sampling heap profiler over every measured stretch, counting what was
 * allocated (collected or not), written to <dir> at quit as a .heapprofile (open it in Chrome's DevTools).
 */
class AllocationProfile {
  constructor(dir) {
    this.dir = dir;
  }

  async start() {
    if (!this.dir || this.session) return;
    this.session = new Session();
    this.session.connect();
    await this.session.post('HeapProfiler.startSampling', {
      samplingInterval: 16384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }

  async write(mode) {
    if (!this.session) return;
    const { profile } = await this.session.post('HeapProfiler.stopSampling');
    writeFileSync(
      join(this.dir, `alloc${mode.replace('--', '-')}-${process.pid}.heapprofile`),
      JSON.stringify(profile),
    );
  }
}

/**
 * CPU, largest RSS and GC pauses between `measure` and `measured`. RSS is read every 20 ms: each reading costs
 * ~45 µs of CPU, which counts as the pipe's.
 */
class Sampler {
  start() {
    this.cpu0 = process.cpuUsage();
    this.rssAtStart = process.memoryUsage.rss();
    this.maxRss = this.rssAtStart;
    this.atMax = process.memoryUsage();
    this.gcMs = 0;
    this.gcMaxMs = 0;
    this.loop = monitorEventLoopDelay({ resolution: 5 }); // a 5 ms timer: cheap, and delays beyond it show
    this.loop.enable();
    this.observer = new PerformanceObserver((list) => this.addGc(list.getEntries()));
    this.observer.observe({ entryTypes: ['gc'] });
    this.timer = setInterval(() => this.sample(), 20);
  }

  sample() {
    const rss = process.memoryUsage.rss();
    if (rss > this.maxRss) {
      this.maxRss = rss;
      this.atMax = process.memoryUsage();
    }
  }

  addGc(entries) {
    for (const e of entries) {
      this.gcMs += e.duration;
      if (e.duration > this.gcMaxMs) this.gcMaxMs = e.duration;
    }
  }

  stop() {
    const cpu = process.cpuUsage(this.cpu0);
    clearInterval(this.timer);
    this.sample();
    this.addGc(this.observer.takeRecords());
    this.observer.disconnect();
    this.loop.disable();
    const { heapTotal, heapUsed, external } = this.atMax;
    return {
      cpuUs: cpu.user + cpu.system,
      maxRss: this.maxRss,
      rssAtStart: this.rssAtStart,
      gcMs: this.gcMs,
      gcMaxMs: this.gcMaxMs,
      // Event loop delay (ns in the histogram): how late timers and I/O callbacks ran.
      loopDelayP99Ms: this.loop.percentile(99) / 1e6,
      loopDelayMaxMs: this.loop.max / 1e6,
      atMaxRss: { heapTotal, heapUsed, external },
    };
  }
}

async function main() {
  const [mode, arg] = process.argv.slice(2);
  let pipe;
  let reported = -1;
  let ticker;
  const sampler = new Sampler();
  const allocations = new AllocationProfile(process.env.SLUICE_BENCH_ALLOC_PROFILE);
  process.on('message', async (m) => {
    try {
      if (m.op === 'start') {
        if (mode === '--flow') pipe = await startFlow(m.flow);
        else if (mode === '--raw-mqtt') pipe = await startRawMqtt(JSON.parse(arg));
        else if (mode === '--raw-kafka') pipe = await startRawKafka(JSON.parse(arg));
        else throw new Error(`unknown mode ${mode}`);
        ticker = setInterval(() => {
          const n = pipe.settled();
          if (n === reported) return;
          reported = n;
          send({ op: 'settled', n });
        }, 5);
        send({ op: 'started' });
      } else if (m.op === 'measure') {
        await allocations.start();
        sampler.start();
      } else if (m.op === 'measured') {
        send({ op: 'use', ...sampler.stop() });
      } else if (m.op === 'quit') {
        clearInterval(ticker);
        await allocations.write(mode);
        await pipe?.stop();
        process.exit(0);
      }
    } catch (err) {
      send({ op: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ op: 'ready' });
}

await main();
