import { catalog } from '../../../nodes/catalog.js';
import { formatProblem, hasErrors, type Problem } from '../../flow/problem.js';
import { createFlowValidator } from '../../flow/validate.js';
import { EXIT, readText, UserError } from '../io.js';

export function validateCommand(files: string[], opts: { json?: boolean }): number {
  const validator = createFlowValidator(catalog);
  const results: Array<{ file: string; valid: boolean; problems: Problem[] }> = [];
  for (const file of files) {
    let problems: Problem[];
    try {
      problems = validator.validateText(readText(file)).problems;
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      problems = [{ severity: 'error', code: 'unreadable', path: '', message: err.message }];
    }
    results.push({ file, valid: !hasErrors(problems), problems });
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) {
      if (r.problems.length === 0) process.stdout.write(`${r.file}: valid\n`);
      for (const p of r.problems) process.stdout.write(`${formatProblem(p, r.file)}\n`);
    }
  }
  return results.every((r) => r.valid) ? EXIT.ok : EXIT.invalid;
}
