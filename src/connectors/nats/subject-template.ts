/** Subject templates for nats-out: `{{ }}` parts holding JSONata expressions; the result must be a valid subject. */
import { compileCheckedTemplate } from '../../expr/template.js';
import { DeterministicError } from '../../spec/failure.js';
import type { Message } from '../../spec/message.js';

export class SubjectError extends DeterministicError {
  override name = 'SubjectError';
}

/** A publish subject: dot-separated tokens, none empty, no whitespace or wildcards. */
export function subjectProblem(s: string): string | undefined {
  if (s === '') return 'the subject is empty';
  const shown = s.length > 60 ? `${s.slice(0, 60)}...` : s;
  if (/\s/.test(s)) return `"${shown}" holds whitespace, which a NATS subject cannot`;
  if (s.split('.').some((t) => t === '' || t === '*' || t === '>')) {
    return `"${shown}" is not a subject to publish on (empty tokens or wildcards)`;
  }
  return undefined;
}

export interface SubjectTemplate {
  render(msg: Message): string | Promise<string>;
}

export function compileSubjectTemplate(template: string): SubjectTemplate {
  return compileCheckedTemplate(template, 'subject', subjectProblem, (m) => new SubjectError(m));
}
