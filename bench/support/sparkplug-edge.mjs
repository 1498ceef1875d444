/**
 * A Sparkplug B edge node for bench/scenarios/sparkplug.ts, in a plain `node` process of its own so that its CPU is
 * not the measured host's: connects, says `ready`, and on `go` publishes the NBIRTH, the DBIRTH and `count` DDATA
 * (pre-encoded by the parent, base64) at QoS 1, at most 500 unacknowledged and at most 1,500 ahead of the host
 * (see credit), then says `done`.
 */
import mqtt from 'mqtt';

const send = (m) => process.send?.(m);

/** Tell the parent `n` DDATA are published; it answers `more` once the host is at most 1,000 behind. */
function credit(n) {
  return new Promise((resolve) => {
    const onMessage = (m) => {
      if (m.op !== 'more') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    send({ op: 'published', n });
  });
}

process.once('message', async (spec) => {
  let client;
  try {
    client = await mqtt.connectAsync(spec.url, { protocolVersion: 5 });
    const bytes = (b64) => Buffer.from(b64, 'base64');
    const nbirth = bytes(spec.nbirth);
    const dbirth = bytes(spec.dbirth);
    const payloads = spec.payloads.map(bytes);
    const t = (type, device) => `spBv1.0/${spec.group}/${type}/edge${device ? `/${device}` : ''}`;
    const ddata = t('DDATA', 'd1');
    process.once('message', async () => {
      // (the `go`)
      try {
        await client.publishAsync(t('NBIRTH'), nbirth, { qos: 1 });
        await client.publishAsync(t('DBIRTH', 'd1'), dbirth, { qos: 1 });
        for (let i = 0; i < spec.count; i += 500) {
          const chunk = [];
          const end = Math.min(spec.count, i + 500);
          for (let j = i; j < end; j++)
            chunk.push(client.publishAsync(ddata, payloads[j % payloads.length], { qos: 1 }));
          await Promise.all(chunk);
          // Paced by the host: Mosquitto queues at most 1,000 QoS 1 messages per subscriber (max_queued_messages)
          // and drops the rest, so a publisher that runs ahead of a slower host would make it lose messages.
          if (end < spec.count) await credit(end);
        }
        await client.endAsync();
        send({ op: 'done' });
      } catch (err) {
        send({ op: 'failed', message: err.message });
      }
    });
    send({ op: 'ready' });
  } catch (err) {
    send({ op: 'failed', message: err.message });
    await client?.endAsync();
  }
});
