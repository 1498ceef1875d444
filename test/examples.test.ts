import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog } from '../nodes/catalog.js';
import { createFlowValidator } from '../src/flow/validate.js';

const dir = new URL('../examples/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('examples/', () => {
  it('has examples', () => expect(files.length).toBeGreaterThan(0));
  for (const f of files) {
    it(`${f} validates with no problems (info on what becomes of failed messages aside)`, () => {
      const { problems } = createFlowValidator(catalog).validateText(readFileSync(new URL(f, dir), 'utf8'));
      expect(problems.filter((p) => p.severity !== 'info')).toEqual([]);
    });
  }
});
