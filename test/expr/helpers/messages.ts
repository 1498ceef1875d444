/**
 * Seeded random messages shaped like what MQTT sources deliver, with the irregularities real devices
 * produce: missing keys, nulls, numbers sent as strings, single values where arrays are expected, unicode.
 */

type Rand = () => number;
const MISSING = Symbol('missing');

function pick<T>(r: Rand, options: readonly T[]): T {
  return options[Math.floor(r() * options.length)]!;
}

/** Usually `common()`, sometimes one of the odd values. */
function mostly<T>(r: Rand, p: number, common: () => T, odd: readonly unknown[]): unknown {
  return r() < p ? common() : pick(r, odd);
}

function num(r: Rand, lo: number, hi: number, decimals = 1): number {
  const f = 10 ** decimals;
  return Math.round((lo + r() * (hi - lo)) * f) / f;
}

function obj(entries: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== MISSING) out[k] = v;
  return out;
}

function reading(r: Rand): unknown {
  return obj({
    v: mostly(r, 0.8, () => num(r, 0, 30, 0), ['7', null, MISSING, [1, 2]]),
    ok: mostly(r, 0.8, () => r() < 0.5, [MISSING, 'yes', 0]),
  });
}

function payload(r: Rand): unknown {
  return obj({
    temp: mostly(r, 0.7, () => num(r, -20, 120), [MISSING, null, '71.5', 'hot', [60, 80], true, 0, 70]),
    humidity: mostly(r, 0.6, () => num(r, 0, 100, 0), [MISSING, null, '55']),
    unit: mostly(r, 0.7, () => pick(r, ['C', 'F']), [MISSING, null, 5, 'c']),
    tags: mostly(
      r,
      0.6,
      () => Array.from({ length: Math.floor(r() * 4) }, () => pick(r, ['alert', 'ok', 'x', 'maint'])),
      [MISSING, 'alert', [1, 'alert'], [], null],
    ),
    readings: mostly(r, 0.6, () => Array.from({ length: Math.floor(r() * 5) }, () => reading(r)), [
      MISSING,
      { v: 12, ok: true },
      [],
      null,
      [[{ v: 3, ok: true }], { v: 40, ok: true }],
    ]),
    name: mostly(r, 0.6, () => pick(r, ['Boiler 1', '  pump\t  two ', 'Kühlraum', 'sensor 🌡️ A', '']), [
      MISSING,
      42,
      null,
      ['a', 'b'],
    ]),
    level: mostly(r, 0.5, () => String(num(r, 0, 50, 0)), [MISSING, '0x1F', 'abc', 3, true, null, '1e3', ' 5']),
    active: mostly(r, 0.5, () => r() < 0.5, [MISSING, 0, 1, '', 'yes', [], {}, null, [false, true]]),
    nested: mostly(r, 0.5, () => ({ deep: { x: num(r, 0, 10) } }), [
      MISSING,
      { deep: [{ x: 1 }, { x: 2 }] },
      { deep: null },
      { deep: { x: '4' } },
      // jsonata treats objects with this key as functions: the fast path must agree
      { _jsonata_lambda: true, deep: { x: 5 } },
    ]),
  });
}

/** A message, or now and then a batch of two (an array input, which jsonata wraps as one value). */
export function randomMessage(r: Rand): unknown {
  if (r() < 0.05) return [singleMessage(r), singleMessage(r)];
  return singleMessage(r);
}

function singleMessage(r: Rand): unknown {
  const device = pick(r, ['dev-1', 'dev-42', 'plc-7', 'm/x']);
  return obj({
    id: mostly(r, 0.8, () => Math.floor(r() * 1e6), [MISSING, 'abc', null]),
    topic: mostly(r, 0.85, () => `sensors/${device}/${pick(r, ['temp', 'humidity', 'status'])}`, [
      MISSING,
      null,
      42,
      '',
      'a//b',
    ]),
    payload: mostly(r, 0.85, () => payload(r), [MISSING, null, 'raw text', [payload(r), payload(r)], 17]),
    timestamp: mostly(r, 0.8, () => 1_700_000_000_000 + Math.floor(r() * 1e9), [MISSING, '2024-01-01T00:00:00Z']),
    headers: mostly(r, 0.6, () => ({ source: pick(r, ['plc-1', 'gw-2']) }), [MISSING, { source: 7 }, {}]),
  });
}
