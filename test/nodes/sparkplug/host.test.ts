import { describe, expect, it } from 'vitest';
import { decodeWire } from '../../../src/connectors/sparkplug/decode.js';
import { EdgeNodeSession } from '../../../src/connectors/sparkplug/edge.js';
import { SparkplugHost } from '../../../src/connectors/sparkplug/host.js';
import { parseTopic } from '../../../src/connectors/sparkplug/topic.js';

/** An edge node session's publications fed straight into a host, as a broker would. */
function pair(useAliases = true) {
  let clock = 1000;
  const edge = new EdgeNodeSession('plant', 'line-1', useAliases, () => clock++);
  const host = new SparkplugHost();
  const feed = (pubs: Array<{ topic: string; payload: Uint8Array }>) =>
    pubs.map((p) => host.receive(parseTopic(p.topic)!, decodeWire(p.payload), 5000));
  return { edge, host, feed };
}

describe('Sparkplug edge node and host state', () => {
  it('parses Sparkplug topics and refuses others', () => {
    expect(parseTopic('spBv1.0/g/DDATA/e/d')).toEqual({ group: 'g', type: 'DDATA', edgeNode: 'e', device: 'd' });
    expect(parseTopic('spBv1.0/g/NDATA/e')).toEqual({ group: 'g', type: 'NDATA', edgeNode: 'e' });
    expect(parseTopic('spBv1.0/g/NDATA/e/d')).toBeUndefined();
    expect(parseTopic('spBv1.0/g/DDATA/e')).toBeUndefined();
    expect(parseTopic('spBv1.0/STATE/host')).toBeUndefined();
    expect(parseTopic('other/g/NDATA/e')).toBeUndefined();
  });

  it('names alias-only DATA metrics from the births and keeps datatypes', () => {
    const { edge, feed } = pair();
    const births = feed(edge.births());
    expect(births[0].events.map((e) => [e.name, e.value, e.quality])).toEqual([
      ['bdSeq', 0, 'good'],
      ['Node Control/Rebirth', false, 'good'],
    ]);
    // The device's first message is its DBIRTH; the second is DDATA with aliases only.
    const first = edge.update('press', [
      { name: 'temp', value: 20.5 },
      { name: 'count', value: 3, datatype: 'Int32' },
    ]);
    expect(first.map((p) => p.type)).toEqual(['DBIRTH']);
    feed(first);
    const second = edge.update('press', [{ name: 'count', value: -4 }]);
    expect(second.map((p) => p.type)).toEqual(['DDATA']);
    expect(Object.hasOwn(decodeWire(second[0].payload).metrics?.[0] ?? {}, 'name')).toBe(false);
    const [data] = feed(second);
    expect(data.events).toEqual([
      expect.objectContaining({
        group: 'plant',
        edgeNode: 'line-1',
        device: 'press',
        messageType: 'DDATA',
        name: 'count',
        datatype: 'Int32',
        value: -4,
        quality: 'good',
        seq: 2,
      }),
    ]);
  });

  it('re-births a device when a new metric appears, and the edge node for a new node metric', () => {
    const { edge, feed } = pair();
    feed(edge.births());
    feed(edge.update('d1', [{ name: 'a', value: 1 }]));
    const grow = edge.update('d1', [{ name: 'b', value: true }]);
    expect(grow.map((p) => p.type)).toEqual(['DBIRTH']);
    expect(feed(grow)[0].events.map((e) => `${e.name}=${e.value}`)).toEqual(['a=1', 'b=true']);
    const node = edge.update(undefined, [{ name: 'uptime', value: 5 }]);
    expect(node.map((p) => p.type)).toEqual(['NBIRTH', 'DBIRTH']);
    feed(node);
    const [data] = feed(edge.update(undefined, [{ name: 'uptime', value: 6 }]));
    expect(data.events.map((e) => [e.messageType, e.name, e.value])).toEqual([['NDATA', 'uptime', 6]]);
  });

  it('refuses a value that does not fit the datatype its birth declared, changing nothing', () => {
    const { edge, feed } = pair();
    feed(edge.births());
    feed(edge.update(undefined, [{ name: 'n', value: 1, datatype: 'UInt8' }]));
    expect(() => edge.update(undefined, [{ name: 'n', value: 300 }])).toThrow(/UInt8: an integer from 0 to 255/);
    expect(() => edge.update(undefined, [{ name: 'n', value: 'x', datatype: 'String' }])).toThrow(
      /born a UInt8 and cannot become a String/,
    );
    const [ok] = feed(edge.update(undefined, [{ name: 'n', value: 2 }]));
    expect(ok.events[0]).toMatchObject({ name: 'n', value: 2, quality: 'good' });
    expect(ok.rebirth).toBeUndefined();
  });

  it('marks the edge node and devices stale on a sequence gap and asks for a rebirth', () => {
    const { edge, feed } = pair();
    feed(edge.births());
    feed(edge.update('d1', [{ name: 't', value: 1 }]));
    edge.update('d1', [{ name: 't', value: 2 }]); // lost on the way
    const [after] = feed(edge.update('d1', [{ name: 't', value: 3 }]));
    expect(after.rebirth).toMatch(/sequence gap on edge node plant\/line-1 \(expected seq 2, got 3\)/);
    const stale = after.events.filter((e) => e.staleReason?.startsWith('sequence gap'));
    expect(stale.map((e) => `${e.device ?? ''}:${e.name}=${e.value}`)).toEqual([
      ':bdSeq=0',
      ':Node Control/Rebirth=false',
      'd1:t=1',
    ]);
    expect(after.events.at(-1)).toMatchObject({ name: 't', value: 3, quality: 'stale' });
    // The rebirth makes everything good again.
    const rebirth = feed(edge.births());
    expect(rebirth[1].events).toEqual([
      expect.objectContaining({ device: 'd1', name: 't', value: 3, quality: 'good' }),
    ]);
  });

  it('treats a seq just behind the last one as a redelivery: emitted again, state unchanged', () => {
    const { edge, host, feed } = pair();
    feed(edge.births());
    const a = edge.update(undefined, [{ name: 'x', value: 1 }]); // NBIRTH again (new metric)
    feed(a);
    const d1 = edge.update(undefined, [{ name: 'x', value: 2 }]);
    const d2 = edge.update(undefined, [{ name: 'x', value: 3 }]);
    feed(d1);
    feed(d2);
    const [again] = feed(d1);
    expect(again.rebirth).toBeUndefined();
    expect(again.events.map((e) => [e.value, e.quality])).toEqual([[2, 'good']]);
    expect(host.summary()[0]).toMatchObject({ born: true, stale: false, seq: 2 });
  });

  it('drops DATA whose birth it never saw and asks for a rebirth; ignores NDEATH of another session', () => {
    const { edge, host, feed } = pair();
    edge.births(); // published before the host was listening
    const [early] = feed(edge.update('d1', [{ name: 't', value: 1 }]));
    expect(early.events).toEqual([]);
    expect(early.rebirth).toBe('no birth certificate seen for this edge node');
    feed(edge.births());
    const oldWill = edge.death();
    edge.nextConnection();
    feed(edge.births()); // bdSeq 1
    const [late] = feed([oldWill]);
    expect(late.ignored).toMatch(/bdSeq 0, not this session's 1/);
    const [death] = feed([edge.death()]);
    expect(death.events.map((e) => `${e.device ?? ''}:${e.name}:${e.quality}:${e.staleReason}`)).toEqual([
      ':bdSeq:stale:NDEATH',
      ':Node Control/Rebirth:stale:NDEATH',
      'd1:t:stale:NDEATH',
    ]);
    expect(host.summary()[0]).toMatchObject({
      born: false,
      stale: true,
      devices: [{ device: 'd1', born: false, stale: true }],
    });
  });

  it('sends names instead of aliases when aliases are off', () => {
    const { edge, feed } = pair(false);
    feed(edge.births());
    feed(edge.update(undefined, [{ name: 'x', value: 1 }]));
    const data = edge.update(undefined, [{ name: 'x', value: 2 }]);
    const m = decodeWire(data[0].payload).metrics?.[0];
    expect(m?.name).toBe('x');
    expect(Object.hasOwn(m ?? {}, 'alias')).toBe(false);
    expect(feed(data)[0].events[0]).toMatchObject({ name: 'x', value: 2 });
  });

  it('names DATA that came before its births once they come (a restarted host in a persistent session)', () => {
    const { edge, feed } = pair();
    feed(edge.births());
    feed(edge.update('press', [{ name: 'count', value: 3, datatype: 'Int32' }]));
    const queued = edge.update('press', [{ name: 'count', value: -4 }]).map((p) => ({
      t: parseTopic(p.topic)!,
      wire: decodeWire(p.payload),
    }));
    // A new host (the flow restarted): the DDATA the broker kept for its session comes before any birth.
    const host = new SparkplugHost();
    const before = host.receive(queued[0].t, queued[0].wire, 6000);
    expect(before).toMatchObject({ events: [], unborn: 'edge' });
    expect(before.rebirth).toBeDefined();
    expect(host.late(queued[0].t, queued[0].wire, 6000)).toMatchObject({ events: [], unborn: 'edge' });
    // The edge node answers the rebirth request: NBIRTH, then DBIRTH of its device with the same aliases.
    const [nbirth, dbirth] = edge.births().map((p) => ({ t: parseTopic(p.topic)!, wire: decodeWire(p.payload) }));
    host.receive(nbirth.t, nbirth.wire, 7000);
    expect(host.late(queued[0].t, queued[0].wire, 7000)).toMatchObject({ events: [], unborn: 'device' });
    const born = host.receive(dbirth.t, dbirth.wire, 7000);
    expect(born.events.find((e) => e.name === 'count')?.value).toBe(-4);
    const late = host.late(queued[0].t, queued[0].wire, 7000);
    expect(late.events).toEqual([
      expect.objectContaining({ device: 'press', messageType: 'DDATA', name: 'count', value: -4, quality: 'good' }),
    ]);
    expect(late.unborn).toBeUndefined();
  });

  it('follows at most maxEdgeNodes edge nodes and maxDevices devices: the least recently heard is forgotten', () => {
    const forgotten: string[] = [];
    const host = new SparkplugHost({
      maxEdgeNodes: 2,
      maxDevices: 2,
      onForget: (kind, key) => forgotten.push(`${kind} ${key}`),
    });
    let clock = 1000;
    const edges = ['a', 'b', 'c'].map((id) => new EdgeNodeSession('plant', id, true, () => clock++));
    const feed = (pubs: Array<{ topic: string; payload: Uint8Array }>) =>
      pubs.map((p) => host.receive(parseTopic(p.topic)!, decodeWire(p.payload), 5000));
    feed(edges[0].births());
    feed(edges[1].births());
    feed(edges[1].update(undefined, [{ name: 'level', value: 1 }])); // a new node metric: NBIRTH again
    // Two devices of a; a is heard last, so b is the least recently heard edge node.
    feed(edges[0].update('press', [{ name: 'temp', value: 1 }]));
    feed(edges[0].update('drill', [{ name: 'temp', value: 2 }]));
    expect(host.size).toEqual({ edgeNodes: 2, devices: 2 });
    feed(edges[2].births());
    expect(forgotten).toEqual(['edge node plant/b']);
    expect(host.summary().map((n) => n.edgeNode)).toEqual(['a', 'c']);
    // A third device: press (heard before drill) goes.
    feed(edges[0].update('drill', [{ name: 'temp', value: 3 }]));
    feed(edges[0].update('saw', [{ name: 'temp', value: 4 }]));
    expect(forgotten).toEqual(['edge node plant/b', 'device plant/a/press']);
    expect(host.forgotten).toEqual({ edgeNodes: 1, devices: 1 });
    expect(
      host
        .summary()
        .find((n) => n.edgeNode === 'a')
        ?.devices.map((d) => d.device),
    ).toEqual(['drill', 'saw']);
    // What was forgotten is unborn again: its DATA asks for a rebirth, like a host that just started.
    const [pressData] = feed(edges[0].update('press', [{ name: 'temp', value: 5 }]));
    expect(pressData).toMatchObject({ events: [], unborn: 'device' });
    expect(pressData.rebirth).toBeDefined();
    const [bData] = feed(edges[1].update(undefined, [{ name: 'level', value: 2 }]));
    expect(bData).toMatchObject({ events: [], unborn: 'edge' });
    // b heard again is followed again (unborn), in place of c, now the least recently heard.
    expect(forgotten.at(-1)).toBe('edge node plant/c');
    // Forgetting an edge node lets go of its devices too: the device bound counts what is followed.
    feed(edges[2].births()); // c again: a (heard before b) goes, with drill and saw
    expect(forgotten.at(-1)).toBe('edge node plant/a');
    expect(host.size).toEqual({ edgeNodes: 2, devices: 0 });
  });
});
