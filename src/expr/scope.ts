/**
 * Compile-time variable scopes. jsonata binds `$x := ...` in the frame of the nearest enclosing block (or of
 * the whole evaluation at top level), so each block that owns assignments becomes a Scope with one slot per
 * name; blocks without assignments need no frame at run time.
 */
import { type AstNode, lhsOf, pairsOf } from './ast.js';

export class Scope {
  readonly slots = new Map<string, number>();

  constructor(
    readonly parent: Scope | undefined,
    names: Iterable<string>,
  ) {
    for (const name of names) this.slots.set(name, this.slots.size);
  }

  get size(): number {
    return this.slots.size;
  }
}

/** Every direct sub-expression of a node (the parts the fast path understands). */
export function childrenOf(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  const add = (n: AstNode | undefined): void => {
    if (n !== undefined && n !== null && typeof n === 'object') out.push(n);
  };
  for (const step of node.steps ?? []) add(step);
  for (const stage of node.stages ?? []) add(stage.expr);
  for (const stage of node.predicate ?? []) add(stage.expr);
  for (const e of node.expressions ?? []) add(e);
  add(node.procedure);
  for (const a of node.arguments ?? []) add(a);
  const pairs = pairsOf(node);
  if (pairs) {
    for (const [k, v] of pairs) {
      add(k);
      add(v);
    }
  } else {
    add(lhsOf(node));
  }
  add(node.rhs);
  add(node.expression);
  add(node.condition);
  add(node.then);
  add(node.else);
  return out;
}

function bindName(node: AstNode): string {
  const target = lhsOf(node);
  return typeof target?.value === 'string' ? target.value : '';
}

/** Names assigned in the frame that `node` evaluates in: does not look inside nested blocks. */
export function ownBinds(node: AstNode, out: Set<string> = new Set()): Set<string> {
  if (node.type === 'bind') out.add(bindName(node));
  for (const child of childrenOf(node)) {
    if (child.type !== 'block') ownBinds(child, out);
  }
  return out;
}

/** Names assigned anywhere in the expression. */
export function allBinds(node: AstNode, out: Set<string> = new Set()): Set<string> {
  if (node.type === 'bind') out.add(bindName(node));
  for (const child of childrenOf(node)) allBinds(child, out);
  return out;
}
