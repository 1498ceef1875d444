/**
 * Validates the open flow as it is edited, with the same validator `sluice validate` uses (createFlowValidator over
 * nodes/catalog.ts), and stores the problems on the flow's store for the badges, forms and problems list.
 */
import { createFlowValidator, type Problem } from '../../../src/flow/index.js';
import { catalog } from '../model/catalog.js';
import { toDocument } from '../model/convert.js';
import { sameContent } from '../model/history.js';
import { attributeSubflowProblems } from '../model/subflow-problems.js';
import type { FlowContent } from '../model/types.js';
import type { FlowStore } from '../state/flow-store.js';
import { contentOf } from '../state/workspace.js';

const DEBOUNCE_MS = 200;

export function validateContent(content: FlowContent): Problem[] {
  try {
    const doc = toDocument(content);
    // Problems inside a subflow show on its uses, in the subflow's and the node's names.
    return attributeSubflowProblems(createFlowValidator(catalog).validate(doc).problems, doc);
  } catch (err) {
    return [
      {
        severity: 'error',
        code: 'validator-failed',
        path: '',
        message: `the editor could not validate this flow: ${err instanceof Error ? err.message : String(err)}`,
      },
    ];
  }
}

/** Starts validating `store` on every content change; returns the unsubscribe. */
export function watchValidation(store: FlowStore): () => void {
  let last: FlowContent | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    const content = contentOf(store.getState());
    last = content;
    store.getState().setProblems(validateContent(content));
  };
  const unsubscribe = store.subscribe((s) => {
    if (last && sameContent(last, s)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  });
  // The first run waits for the canvas to be drawn: opening a large flow shows it first, then its problems.
  const idle =
    typeof requestIdleCallback === 'function' ? requestIdleCallback(() => run(), { timeout: 1500 }) : undefined;
  if (idle === undefined) timer = setTimeout(run, 0);
  return () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (idle !== undefined) cancelIdleCallback(idle);
  };
}
