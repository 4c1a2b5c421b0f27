import { MAX_JSON_DEPTH } from './limits.js';

/**
 * Logs Insights field discovery over a JSON value: nested objects flattened with dots, arrays with
 * `.0.` index segments, scalars (strings, numbers, booleans) are fields; null, {} and [] are not
 * (the spec's recommended default). A discovered name starting with `@` gets one more `@`.
 * Iterative, and it stops at MAX_JSON_DEPTH: a record thousands of levels deep cannot exhaust
 * the stack (campaign F3); `truncated` says that parts deeper than that were not looked at.
 */
export function discoverFields(value: unknown): { names: string[]; truncated: boolean } {
  const walk: Walk = { out: new Set<string>(), truncated: false, depth: 0 };
  discover(value, '', 1, walk);
  return { names: [...walk.out], truncated: walk.truncated };
}

interface Walk {
  out: Set<string>;
  truncated: boolean;
  /** The deepest level reached. */
  depth: number;
}

/**
 * The names discoverFields gives the parts of `value` when it sits at `prefix` (a dotted path,
 * not starting with `@`) at nesting level `depth` of its record; null when any part is deeper than
 * `maxDepth` (the caller then flattens the whole record, which also applies the depth rules).
 */
export function fieldNamesUnder(value: unknown, prefix: string, depth: number, maxDepth: number): string[] | null {
  const walk: Walk = { out: new Set<string>(), truncated: false, depth: 0 };
  discover(value, prefix, depth, walk);
  return walk.truncated || walk.depth > maxDepth ? null : [...walk.out];
}

/**
 * Depth-first, in document order. Recursive, but never deeper than MAX_JSON_DEPTH frames, so a
 * hostile nesting cannot exhaust the stack; it replaced an explicit stack of [value, prefix, depth]
 * tuples whose allocations were most of the cost of the ingest's catalog counts (issue 12).
 */
function discover(v: unknown, prefix: string, depth: number, walk: Walk): void {
  if (v === null || v === undefined) return;
  if (typeof v !== 'object') {
    if (prefix !== '') walk.out.add(discoveredName(prefix));
    return;
  }
  if (depth > MAX_JSON_DEPTH) {
    walk.truncated = true;
    return;
  }
  if (depth > walk.depth) walk.depth = depth;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) discover(v[i], prefix === '' ? String(i) : `${prefix}.${i}`, depth + 1, walk);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) discover(o[k], prefix === '' ? k : `${prefix}.${k}`, depth + 1, walk);
}

/**
 * discoverFields, remembered by shape: records of one kind share their field names, so the names
 * of each sequence of leaf paths are worked out once. The walk follows a trie of paths (a child
 * per key or index, its dotted name built once) and a trie of the sequences of leaf paths met, so
 * a record costs a map lookup per key instead of a string per field and a Set (issue 12: the
 * names were 9% of the reading thread's time at 200k records). The answer and its `names` are
 * shared between records of one shape: callers must not change them.
 */
export function discoverFieldsShared(value: unknown): {
  readonly names: readonly string[];
  readonly truncated: boolean;
} {
  if (shapes.size > MAX_SHAPE_NODES) shapes = new ShapeCache();
  return shapes.of(value);
}

/** Trie nodes kept before the cache starts afresh (records of ever new shapes must not grow it without end). */
const MAX_SHAPE_NODES = 200_000;

interface PathNode {
  /** The dotted path ('' at the root). */
  path: string;
  kids: Map<string | number, PathNode>;
}

/** A leaf path or a cut at MAX_JSON_DEPTH, as met in document order. */
type Step = PathNode | typeof CUT;
const CUT = Symbol('cut');

interface SeqNode {
  step: Step | undefined;
  parent: SeqNode | undefined;
  next: Map<Step, SeqNode>;
  result?: { readonly names: readonly string[]; readonly truncated: boolean };
}

class ShapeCache {
  size = 0;
  private readonly paths: PathNode = { path: '', kids: new Map() };
  private readonly seqs: SeqNode = { step: undefined, parent: undefined, next: new Map() };
  private at: SeqNode = this.seqs;

  of(value: unknown): { readonly names: readonly string[]; readonly truncated: boolean } {
    this.at = this.seqs;
    this.walk(value, this.paths, 1);
    const end = this.at;
    return (end.result ??= this.resultOf(end));
  }

  private walk(v: unknown, node: PathNode, depth: number): void {
    if (v === null || v === undefined) return;
    if (typeof v !== 'object') {
      if (node.path !== '') this.step(node);
      return;
    }
    if (depth > MAX_JSON_DEPTH) {
      this.step(CUT);
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) this.walk(v[i], this.child(node, i), depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) this.walk(o[k], this.child(node, k), depth + 1);
  }

  private child(node: PathNode, key: string | number): PathNode {
    let c = node.kids.get(key);
    if (c === undefined) {
      const k = String(key);
      c = { path: node.path === '' ? k : `${node.path}.${k}`, kids: new Map() };
      node.kids.set(key, c);
      this.size++;
    }
    return c;
  }

  private step(s: Step): void {
    let n = this.at.next.get(s);
    if (n === undefined) {
      n = { step: s, parent: this.at, next: new Map() };
      this.at.next.set(s, n);
      this.size++;
    }
    this.at = n;
  }

  private resultOf(end: SeqNode): { readonly names: readonly string[]; readonly truncated: boolean } {
    const steps: Step[] = [];
    for (let n: SeqNode | undefined = end; n?.step !== undefined; n = n.parent) steps.push(n.step);
    steps.reverse();
    const out = new Set<string>();
    let truncated = false;
    for (const s of steps) {
      if (s === CUT) truncated = true;
      else out.add(discoveredName(s.path));
    }
    return Object.freeze({ names: Object.freeze([...out]), truncated });
  }
}

let shapes = new ShapeCache();

export function fieldNamesOf(value: unknown): string[] {
  return discoverFields(value).names;
}

export function discoveredName(flat: string): string {
  return flat.charCodeAt(0) === 0x40 ? '@' + flat : flat; // '@'
}
