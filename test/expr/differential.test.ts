/**
 * Differential test: realistic expressions over seeded random messages must give exactly what jsonata's
 * interpreter gives (same value including sequence flags and prototypes, or same error code), and the fast
 * path must really handle them (synchronous results).
 */
import jsonata from 'jsonata';
import { expect, describe as group, it } from 'vitest';
import type { AstNode } from '../../src/expr/ast.js';
import { BAIL } from '../../src/expr/bail.js';
import { compileFast } from '../../src/expr/fast.js';
import { compileExpression } from '../../src/expr/index.js';
import { prng } from '../support/prng.js';
import { randomMessage } from './helpers/messages.js';
import { describe, type Outcome, outcomeOf } from './helpers/outcome.js';

/** [expression, runs on the fast path] */
const EXPRESSIONS: readonly (readonly [string, boolean])[] = [
  ['payload.temp > 70', true],
  ['payload.temp >= 20 and payload.temp < 30', true],
  ['{"device": $split(topic, "/")[1], "tempF": payload.temp * 1.8 + 32}', true],
  ['payload.unit = "C" ? payload.temp : (payload.temp - 32) / 1.8', true],
  ['$exists(payload.humidity) ? payload.humidity : -1', true],
  ['payload.readings.v', true],
  ['payload.readings[ok].v', true],
  ['payload.readings[v > 10]', true],
  ['payload.readings[-1]', true],
  ['$sum(payload.readings.v)', true],
  ['$count(payload.readings)', true],
  ['$max(payload.readings.v) - $min(payload.readings.v)', true],
  ['$average(payload.readings.v)', true],
  ['payload.tags[0]', true],
  ['"alert" in payload.tags', true],
  ['$uppercase(payload.name)', true],
  ['$lowercase(payload.unit) = "c"', true],
  ['$string(payload.temp) & " " & payload.unit', true],
  ['$number(payload.level)', true],
  ['$round(payload.temp, 1)', true],
  ['$floor(payload.temp) + $ceil(payload.humidity) + $abs(payload.temp)', true],
  ['$length(payload.name)', true],
  ['$substring(payload.name, 0, 3)', true],
  ['$substring(payload.name, -2)', true],
  ['$join(payload.tags, ",")', true],
  ['$contains(topic, "temp")', true],
  ['$trim(payload.name)', true],
  ['$boolean(payload.active)', true],
  ['$not(payload.active)', true],
  ['payload.temp != null and payload.temp > 0', true],
  ['[payload.temp, payload.humidity]', true],
  ['{"id": id, "values": payload.readings.v, "n": $count(payload.readings.v)}', true],
  ['($t := payload.temp; $t > 50 ? "hot" : $t > 20 ? "warm" : "cold")', true],
  ['headers.source & "/" & topic', true],
  ['timestamp + 1000', true],
  ['-payload.temp', true],
  ['payload.nested.deep.x', true],
  ['$split(topic, "/")', true],
  ['topic ~> $substringAfter("/") ~> $substringBefore("/")', true],
  ['payload.*', true],
  ['payload.temp ?: 0', true],
  ['payload.temp ?? 0', true],
  ['$keys(payload)', true],
  ['payload.readings.{"v": v, "ok": ok}', true],
  ['payload.readings{"total": $sum(v)}', false],
  ['payload.temp % 2 = 0', true],
  ['$lookup(payload, "temp")', true],
  ['$type(payload.temp)', true],
  ['$pad($string(payload.humidity), 5, "0")', true],
  ['$string(payload)', true],
  ['payload.tags[]', true],
  ['{"name": payload.name, "tags": [payload.tags]}', true],
  ['payload.temp > $threshold', true],
  ['$append(payload.tags, "seen")', true],
  ['$millis() > 0 and payload.temp > 0', true],
  ['$sum(payload.readings.(v * 2))', true],
  ['$$.payload[temp > 20].name', true],
  ['payload.readings[0] = {"v": payload.readings[0].v, "ok": payload.readings[0].ok}', true],
  ['payload.tags = ["alert"] or payload.tags != ["ok", "x"]', true],
  ['payload.temp * 1.1 & ""', true],
  // left to the interpreter: regex, lambdas, sorting
  ['$contains(payload.name, /pump/i)', false],
  ['$map(payload.readings, function($r) { $r.v * 2 })', false],
  ['payload.readings^(v).v', false],
];

const BINDINGS = { threshold: 50 };
const MESSAGES = 1000;
const SEEDS = [1, 2];

/** What jsonata's interpreter alone gives, on its own copy of the message (jsonata can mutate its input). */
async function reference(expr: jsonata.Expression, message: unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await expr.evaluate(structuredClone(message), BINDINGS), sync: false };
  } catch (e) {
    return { ok: false, code: String((e as { code?: unknown }).code), sync: false };
  }
}

function comparable(o: Outcome): unknown {
  return o.ok ? { value: describe(o.value) } : { code: o.code };
}

group('fast path vs jsonata interpreter', () => {
  it('covers at least 30 fast-path expressions', () => {
    expect(EXPRESSIONS.filter(([, fast]) => fast).length).toBeGreaterThanOrEqual(30);
  });

  it.each(EXPRESSIONS)('%s (fast: %s)', async (source, fast) => {
    const compiled = compileExpression(source);
    expect(compiled.fast).toBe(fast);
    const ref = jsonata(source, { timeout: 1000, stack: 500 });
    const fastPath = fast ? compileFast(ref.ast() as unknown as AstNode, 500) : undefined;
    let synchronous = 0;
    let total = 0;
    for (const seed of SEEDS) {
      const random = prng(seed);
      for (let i = 0; i < MESSAGES; i++) {
        const message = randomMessage(random);
        const expected = await reference(ref, message);
        const actual = await outcomeOf(compiled, structuredClone(message), BINDINGS);
        expect(comparable(actual), `message ${JSON.stringify(message)}`).toEqual(comparable(expected));
        total++;
        if (actual.sync) synchronous++;
        if (fastPath !== undefined) {
          // the fast path may give up (BAIL) but must not fail in any other way where jsonata succeeds
          try {
            fastPath.run(structuredClone(message), BINDINGS);
          } catch (e) {
            if (e !== BAIL) expect(expected.ok, `fast path threw ${String(e)}`).toBe(false);
          }
        }
      }
    }
    if (fast) {
      // irregular messages legitimately go to the interpreter, but most must not
      expect(synchronous / total).toBeGreaterThan(0.3);
    } else {
      expect(synchronous).toBe(0);
    }
  });
});
