#!/usr/bin/env node
// The rooms of the code and the arrows allowed between them, written once: the dependency rules
// (.dependency-cruiser.mjs) are generated from this list and the table in docs/architecture.md is
// rendered from it. `node scripts/architecture.mjs --check` (part of `npm run lint`) fails when
// the table drifted from the list or a folder of src/ is in no room; `--write` rewrites the table.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The product's rooms below its faces: what the CLI and the benchmarks drive. */
const PRODUCT = [
  'src/alarms',
  'src/api',
  'src/archive',
  'src/cloudwatch',
  'src/contracts',
  'src/control',
  'src/demo',
  'src/doctor',
  'src/engines',
  'src/insights',
  'src/logs',
  'src/pricing',
  'src/reports',
  'src/sources',
  'src/store',
  'src/util',
  'src/workspace',
];

/**
 * Lowest first: a room may import only rooms listed before it, so an upward arrow cannot be
 * written down. `may` is what the room may import besides itself; `why` is the folder README's
 * "must not" line the rule comes from.
 * @type {ReadonlyArray<{ room: string; may: readonly string[]; typesFrom?: readonly string[]; why: string }>}
 */
export const LAYERS = [
  { room: 'src/util', may: [], why: 'typed errors; no knowledge of Bedrock or the store' },
  { room: 'src/logs', may: [], why: 'what a record is: pure, nothing of ours (not even util)' },
  {
    room: 'src/contracts',
    may: [],
    // The engine's and the diagnostics' shapes are part of the wire format (a prepared query carries
    // its plan, whose calls name catalog functions); they stay leaves that import only each other's
    // types (CONTRACT_LEAVES), so this type-only reach up loads nothing at run time.
    typesFrom: [
      'src/engines/engine.ts',
      'src/insights/diagnostics.ts',
      'src/insights/ast.ts',
      'src/insights/plan.ts',
      'src/insights/functions.ts',
    ],
    why: 'shapes shared across layers and with the browser: no runtime imports',
  },
  { room: 'src/tagging', may: ['src/util'], why: 'runs inside users’ applications: no store, files or CLI' },
  { room: 'src/store', may: ['src/logs', 'src/util'], why: 'must not import sources, insights, engines or above' },
  {
    room: 'src/archive',
    may: ['src/store', 'src/util'],
    why: 'copies the store into Parquet as it is: no queries, no engines, no changes to the store',
  },
  { room: 'src/insights', may: ['src/logs', 'src/util'], why: 'text to data to SQL text: no store, engines or I/O' },
  {
    room: 'src/workspace',
    may: ['src/contracts', 'src/store', 'src/util'],
    why: 'saved queries, history, dashboards: no events, no queries',
  },
  { room: 'src/pricing', may: ['src/logs', 'src/store', 'src/util'], why: 'nothing above the store' },
  { room: 'src/demo', may: ['src/store', 'src/util'], why: 'generates data; calls no ingest, schema or normaliser' },
  {
    room: 'src/sources',
    may: ['src/logs', 'src/pricing', 'src/store', 'src/util'],
    why: 'must not know about queries, the CLI or the API',
  },
  {
    room: 'src/engines',
    // The Trino layer lists the S3 delivery layout with S3 ingest's client helpers (sources/s3.ts),
    // and defines the archive's tables from the archive's own column list (archive/export.ts).
    may: ['src/archive', 'src/contracts', 'src/insights', 'src/logs', 'src/sources', 'src/store', 'src/util'],
    why: 'run what insights compiled; no parsing of their own, no writes',
  },
  {
    room: 'src/doctor',
    may: ['src/logs', 'src/pricing', 'src/store', 'src/util'],
    why: 'reads the store; no writes, no pricing changes',
  },
  {
    room: 'src/cloudwatch',
    may: ['src/engines', 'src/insights', 'src/logs', 'src/pricing', 'src/store', 'src/util', 'src/workspace'],
    why: 'queries only through QueryEngine; events in only through the writer',
  },
  {
    room: 'src/alarms',
    // insights: a query alarm's query is parsed to read every period from one binned query.
    may: [
      'src/cloudwatch',
      'src/contracts',
      'src/engines',
      'src/insights',
      'src/logs',
      'src/pricing',
      'src/store',
      'src/util',
    ],
    why: 'reads events; metric filters are read, never written',
  },
  {
    room: 'src/reports',
    // owner-key.ts checks a chargeback key against the language's function names.
    may: ['src/contracts', 'src/engines', 'src/insights', 'src/logs', 'src/pricing', 'src/store', 'src/util'],
    why: 'must not depend on the API or the web console',
  },
  {
    room: 'src/api',
    may: [
      'src/alarms',
      'src/contracts',
      'src/engines',
      'src/insights',
      // At start the server prices what a crash left unpriced (the pass ingest ends with).
      'src/pricing',
      'src/reports',
      'src/store',
      'src/util',
      'src/workspace',
    ],
    why: 'queries through the engine; the CloudWatch endpoint is mounted by the CLI, not imported',
  },
  {
    room: 'src/control',
    may: ['src/store', 'src/util'],
    why: 'the CLI↔server channel: runs command lines it is given, knows no command and no route of the console',
  },
  { room: 'src/index.ts', may: ['src/logs', 'src/util'], why: 'the package’s library export' },
  {
    room: 'src/cli',
    may: PRODUCT,
    why: 'a thin layer over the modules: no business logic',
  },
  {
    room: 'scripts',
    may: [...PRODUCT, 'src/cli'],
    why: 'build and developer tools (npm run trino:start runs the CLI)',
  },
  { room: 'web', may: ['src/contracts'], why: 'the browser reaches the server only through /api and the contracts' },
  {
    room: 'bench',
    may: PRODUCT,
    why: 'measures the product from outside (and may use test/ helpers)',
  },
];

/** Files of higher rooms that the contracts may reach for types: each imports only types, and only from this set. */
export const CONTRACT_LEAVES = LAYERS.flatMap((l) => l.typesFrom ?? []);

/** The file trees the rules look at (tests are not rooms: they may import anything). */
export const CRUISED = ['src', 'web/src', 'bench', 'scripts'];

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A path regex for a room: a folder and everything under it, or one file. */
const under = (room) => (room.endsWith('.ts') ? `^${esc(room)}$` : `^${esc(room)}/`);
const anyOf = (rooms) => `(${rooms.map(under).join('|')})`;

/** Each room's floor: 1 for a room that imports nothing of ours, else one above its highest target. */
export function floors(layers = LAYERS) {
  const floor = new Map();
  for (const l of layers) {
    for (const m of l.may)
      if (!floor.has(m)) throw new Error(`${l.room} may import ${m}, which is not listed before it (an upward arrow)`);
    floor.set(l.room, 1 + Math.max(0, ...l.may.map((m) => floor.get(m))));
  }
  return floor;
}

/** dependency-cruiser's `forbidden` rules, one per room plus the global ones. */
export function dependencyRules(layers = LAYERS) {
  floors(layers); // throws on an upward arrow in the list itself
  const ours = anyOf(layers.map((l) => l.room));
  const leaves = layers.flatMap((l) => l.typesFrom ?? []);
  const rules = layers.map((l) => ({
    name: `layer:${l.room}`,
    severity: 'error',
    comment: `${l.room} may import ${l.may.length ? l.may.join(', ') : 'nothing of ours'} (${l.why}).`,
    from: { path: under(l.room) },
    to: { path: ours, pathNot: anyOf([l.room, ...l.may, ...(l.typesFrom ?? [])]) },
  }));
  for (const l of layers.filter((x) => x.typesFrom?.length))
    rules.push({
      name: `types-only:${l.room}`,
      severity: 'error',
      comment: `${l.room} reaches ${l.typesFrom.join(', ')} for types only (import type), never for code.`,
      from: { path: under(l.room) },
      to: { path: anyOf(l.typesFrom), dependencyTypesNot: ['type-only'] },
    });
  if (leaves.length)
    rules.push({
      name: 'contract-leaves',
      severity: 'error',
      comment: `${leaves.join(', ')} are reached by the contracts: they import only types, and only from each other.`,
      from: { path: anyOf(leaves) },
      to: { pathNot: anyOf(leaves) },
    });
  rules.push(
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules must not import each other in a circle (one of them holds what both need).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment: 'Every import resolves, so no arrow escapes the rules.',
      from: {},
      to: { couldNotResolve: true },
    },
  );
  return rules;
}

/** The Markdown table of docs/architecture.md. */
export function renderLayers(layers = LAYERS) {
  const floor = floors(layers);
  const rows = layers.map((l) => {
    const may = l.may.length ? l.may.map((m) => `\`${m}\``).join(', ') : 'nothing of ours';
    const types = l.typesFrom?.length ? `; types only from ${l.typesFrom.map((t) => `\`${t}\``).join(', ')}` : '';
    return `| ${floor.get(l.room)} | \`${l.room}\` | ${may}${types} | ${l.why} |`;
  });
  return ['| floor | room | may import | because |', '|---|---|---|---|', ...rows].join('\n');
}

export const BEGIN = '<!-- layers:begin (generated by `node scripts/architecture.mjs --write` from its LAYERS) -->';
export const END = '<!-- layers:end -->';

/** The document with its generated table replaced by `table`. */
export function withTable(doc, table) {
  const i = doc.indexOf(BEGIN);
  const j = doc.indexOf(END);
  if (i < 0 || j < i) throw new Error(`docs/architecture.md must hold the markers ${BEGIN} … ${END}`);
  return `${doc.slice(0, i + BEGIN.length)}\n${table}\n${doc.slice(j)}`;
}

/** Folders and loose files of src/ that are in no room (a new folder must be placed in LAYERS). */
export function unplaced(root, layers = LAYERS) {
  const rooms = new Set(layers.map((l) => l.room));
  return readdirSync(join(root, 'src'), { withFileTypes: true })
    .filter((e) => e.isDirectory() || e.name.endsWith('.ts'))
    .map((e) => `src/${e.name}`)
    .filter((p) => !rooms.has(p));
}

function main(argv) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const docPath = join(root, 'docs', 'architecture.md');
  const doc = readFileSync(docPath, 'utf8');
  const wanted = withTable(doc, renderLayers());
  if (argv.includes('--write')) {
    writeFileSync(docPath, wanted);
    return 0;
  }
  const problems = [];
  if (wanted !== doc)
    problems.push(
      'docs/architecture.md: the layers table differs from scripts/architecture.mjs; run `node scripts/architecture.mjs --write`.',
    );
  for (const p of unplaced(root))
    problems.push(`${p} is in no room: add it to LAYERS in scripts/architecture.mjs with what it may import.`);
  for (const p of problems) process.stderr.write(`architecture: ${p}\n`);
  return problems.length ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(main(process.argv.slice(2)));
