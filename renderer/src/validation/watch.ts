/**
 * Validates the open flow as it is edited, with the same validator `sluice validate` uses (createFlowValidator over
 * nodes/catalog.ts), and stores the problems on the flow's store for the badges, forms and problems list.
 */
import type { FlowValidator, Problem } from '../../../src/flow/index.js';
import { toDocument } from '../model/convert.js';
import { sameContent } from '../model/history.js';
import { attributeSubflowProblems } from '../model/subflow-problems.js';
import type { FlowContent } from '../model/types.js';
import type { FlowStore } from '../state/flow-store.js';
import { contentOf } from '../state/workspace.js';

const DEBOUNCE_MS = 200;

let loading: Promise<FlowValidator> | undefined;

/** The validator's chunk (flow-validator.ts), loaded once; a failed load (a new build on the server) is retried. */
function loadFlowValidator(): Promise<FlowValidator> {
  loading ??= import('./flow-validator.js').then((m) => m.flowValidator);
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

function validatorFailed(err: unknown): Problem[] {
  return [
    {
      severity: 'error',
      code: 'validator-failed',
      path: '',
      message: `the editor could not validate this flow: ${err instanceof Error ? err.message : String(err)}`,
    },
  ];
}

export function validateContent(content: FlowContent, validator: FlowValidator): Problem[] {
  try {
    const doc = toDocument(content);
    // Problems inside a subflow show on its uses, in the subflow's and the node's names.
    return attributeSubflowProblems(validator.validate(doc).problems, doc);
  } catch (err) {
    return validatorFailed(err);
  }
}

/** Starts validating `store` on every content change; returns the unsubscribe. */
export function watchValidation(store: FlowStore): () => void {
  let last: FlowContent | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let validator: FlowValidator | undefined;
  let idle: number | undefined;
  let stopped = false;
  const run = () => {
    timer = undefined;
    // Edits before the validator has loaded are validated by its first run.
    if (!validator) return;
    const content = contentOf(store.getState());
    last = content;
    store.getState().setProblems(validateContent(content, validator));
  };
  const unsubscribe = store.subscribe((s) => {
    if (last && sameContent(last, s)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  });
  // The first run waits for the canvas to be drawn (a large flow shows first, then its problems), and so does the
  // validator's code: parsing it would compete with drawing.
  const start = () => {
    idle = undefined;
    loadFlowValidator().then(
      (v) => {
        validator = v;
        if (!stopped) run();
      },
      (err: unknown) => {
        if (!stopped) store.getState().setProblems(validatorFailed(err));
      },
    );
  };
  if (typeof requestIdleCallback === 'function') idle = requestIdleCallback(start, { timeout: 1500 });
  else start();
  return () => {
    stopped = true;
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (idle !== undefined) cancelIdleCallback(idle);
  };
}
