import { formatProblem, type Problem } from '../flow/problem.js';

/** The flow cannot start: invalid document, missing env variable, unreadable secret file, failed connect. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'StartupError';
  }

  static fromProblems(problems: Problem[], file?: string): StartupError {
    const errors = problems.filter((p) => p.severity === 'error');
    return new StartupError(
      `the flow is not valid (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n${errors.map((p) => `  ${formatProblem(p, file)}`).join('\n')}`,
      problems,
    );
  }
}
