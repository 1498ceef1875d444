/**
 * What gets written for a save: the flow with its id set, literal secrets stripped (no secret is ever written
 * to a flow file) and canonical key order, plus the validation problems of exactly that document.
 */
import type { FlowDocument } from '../flow/document.js';
import { migrateFlow } from '../flow/migrate.js';
import type { Problem } from '../flow/problem.js';
import { serializeFlow, stripSecrets } from '../flow/serialize.js';
import type { FlowValidator } from '../flow/validate.js';
import type { FlowObject, PreparedFlow } from './store.js';

export interface PreparedSave extends PreparedFlow {
  problems: Problem[];
}

export function prepareSave(input: FlowObject, id: string, validator: FlowValidator): PreparedSave {
  // An older flow is written in the current form (e.g. renamed settings under their new names), with a warning each.
  const migrated = migrateFlow(input, validator.catalog);
  const withId = { ...(migrated.ok ? migrated.flow : input), id } as unknown as FlowDocument;
  const { flow, stripped } = stripSecrets(withId, validator.catalog);
  const text = serializeFlow(flow);
  const canonical = JSON.parse(text) as FlowObject;
  const problems: Problem[] = migrated.ok ? [...migrated.problems] : [];
  for (const path of stripped) {
    problems.push({
      severity: 'warning',
      code: 'secret-stripped',
      path,
      message: 'a literal secret was removed before saving: flow files never hold secrets',
      hint: 'use a reference instead, e.g. "${env:MQTT_PASSWORD}" or "${file:/run/secrets/mqtt}"',
    });
  }
  problems.push(...validator.validate(canonical).problems);
  return { flow: canonical, text, problems };
}
