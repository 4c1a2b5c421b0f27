import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built-in query pack: the user's guide's queries (queries/bedrock, kept byte for byte as the
 * guide wrote them, for fidelity) and the revisions the console applies when it preloads them as
 * saved queries. A revision makes a title say what the query does, or corrects the guide's own
 * mistake; the saved query then says what was changed and why, in its description and in a
 * comment at the top of its text (which travels with it, to CloudWatch too).
 */

export const BEDROCK_FOLDER = 'Bedrock usage';
export const PACK_LOG_GROUP = '/aws/bedrock/modelinvocations';

/** A preloaded query: the file's title, purpose and text, after its revision. */
export interface PackQuery {
  file: string;
  name: string;
  folder: string;
  queryString: string;
  description: string;
  logGroups: string[];
  /** The title and text as the guide has them (the file), when the revision changed them. */
  original?: { name: string; queryString: string };
}

interface Revision {
  name?: string;
  description?: string;
  /** [what the guide wrote, what the saved query says instead], applied to the text. */
  replace?: [string, string];
  /** A comment put above the query text, saying what was changed. */
  note?: string;
}

/** The guide numbers its queries 1 to 14 and has no Query 12; the titles keep its numbers. */
export const NUMBERING_NOTE = 'Numbered as in the guide, which has no Query 12.';

/**
 * Keyed by file name. Only what the guide gets wrong is revised; the other queries are preloaded
 * exactly as written.
 */
export const PACK_REVISIONS: Readonly<Record<string, Revision>> = {
  'q11-oversized-requests.insights': {
    // The guide files this under "errors or anomalies", but it never reads errorCode.
    name: 'Query 11: Oversized requests (over 5,000 tokens)',
    description:
      'Requests with more than 5,000 input or output tokens. The guide titles it "Errors or anomalies", but it does not look at errors (errorCode): it finds unusually large requests.',
  },
  'q13-iam-role-and-metadata.insights': {
    name: 'Query 13: Tokens by IAM role and request metadata (corrected)',
    description: `Dual tracking: infrastructure (role) + application (metadata). Corrected: the guide's text reads output.outputTokens, which Bedrock logs do not have, so its TotalTokens was blank on every row and the sort did nothing; this copy reads output.outputTokenCount. ${NUMBERING_NOTE}`,
    replace: ['output.outputTokens as Tokens', 'output.outputTokenCount as Tokens'],
    note: '# Corrected: the guide reads output.outputTokens (not a Bedrock log field: TotalTokens was blank); output.outputTokenCount is.',
  },
};

/** The folder of the built-in query pack: <repo>/queries/bedrock, from src/workspace or dist/workspace. */
export function queryPackDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', '..', 'queries', 'bedrock');
}

/** A query file as the guide wrote it: title and purpose from the first two `#` lines, the rest verbatim. */
function readPackFile(dir: string, file: string): { name: string; description: string; queryString: string } {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const title = (lines[0] ?? '').replace(/^#\s*/, '').trim();
  const purpose = (lines[1] ?? '')
    .replace(/^#\s*/, '')
    .replace(/^Purpose:\s*/i, '')
    .trim();
  return { name: title || file, description: purpose, queryString: lines.slice(2).join('\n').replace(/\s+$/, '') };
}

/** Apply a revision; throws when the text it corrects is no longer in the file (the revision is stale). */
export function revise(file: string, q: { name: string; description: string; queryString: string }): PackQuery {
  const r = PACK_REVISIONS[file];
  const base: PackQuery = { file, folder: BEDROCK_FOLDER, logGroups: [PACK_LOG_GROUP], ...q };
  if (!r) return base;
  let text = q.queryString;
  if (r.replace) {
    if (!text.includes(r.replace[0]))
      throw new Error(`The revision of ${file} corrects "${r.replace[0]}", which the file no longer has.`);
    text = text.replace(r.replace[0], r.replace[1]);
  }
  if (r.note) text = `${r.note}\n${text}`;
  return {
    ...base,
    name: r.name ?? q.name,
    description: r.description ?? q.description,
    queryString: text,
    original: { name: q.name, queryString: q.queryString },
  };
}

/** The pack as the console preloads it (revisions applied), sorted by file name. */
export function readQueryPack(dir: string = queryPackDir()): PackQuery[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.insights'))
      .sort();
  } catch {
    return [];
  }
  return names.map((n) => revise(n, readPackFile(dir, n)));
}
