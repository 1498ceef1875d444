/**
 * The parts of jsonata's processed AST (`jsonata(src).ast()`) that the fast-path compiler reads.
 * jsonata types its AST loosely; this is the shape as produced by jsonata 2.2.2's `processAST`.
 */
export interface AstNode {
  readonly type: string;
  readonly value?: unknown;
  readonly position?: number;
  /** path */
  readonly steps?: readonly AstNode[];
  readonly keepSingletonArray?: boolean;
  /** predicates of a path step */
  readonly stages?: readonly Stage[];
  /** predicates of any other node */
  readonly predicate?: readonly Stage[];
  readonly keepArray?: boolean;
  readonly consarray?: boolean;
  /** block, array constructor */
  readonly expressions?: readonly AstNode[];
  /** function call */
  readonly procedure?: AstNode;
  readonly arguments?: readonly AstNode[];
  /** binary operand, or the key/value pairs of an object constructor */
  readonly lhs?: AstNode | readonly (readonly [AstNode, AstNode])[];
  readonly rhs?: AstNode;
  /** unary minus */
  readonly expression?: AstNode;
  /** condition */
  readonly condition?: AstNode;
  readonly then?: AstNode;
  readonly else?: AstNode;
  // Features the fast path leaves to the interpreter (grouping, tuple streams, parent operator).
  readonly group?: unknown;
  readonly focus?: unknown;
  readonly index?: unknown;
  readonly tuple?: unknown;
  readonly ancestor?: unknown;
  readonly seekingParent?: unknown;
}

export interface Stage {
  readonly type: string;
  readonly expr?: AstNode;
  readonly value?: unknown;
}

/** The object-constructor pairs of a `{` unary node, or undefined when `lhs` is an operand. */
export function pairsOf(node: AstNode): readonly (readonly [AstNode, AstNode])[] | undefined {
  return Array.isArray(node.lhs) ? (node.lhs as readonly (readonly [AstNode, AstNode])[]) : undefined;
}

/** The operand `lhs` of a binary or bind node. */
export function lhsOf(node: AstNode): AstNode | undefined {
  return Array.isArray(node.lhs) ? undefined : (node.lhs as AstNode | undefined);
}
