/** Trino spelling of the pattern command's token masking and numbering (rules: ../patterns.ts). */
import type { Lower } from '../dialect.js';
import { PATTERN_MARKER_RE, PATTERN_OTHER_TOKEN, PATTERN_PIECES, PATTERN_TOKEN_TYPES } from '../patterns.js';
import { quoteString } from './text.js';

const marker = (type: string) => `chr(1) || ${quoteString(type)} || chr(2)`;

export function patternTemplate(_x: Lower, text: string): string {
  const types = PATTERN_TOKEN_TYPES.map(
    (t) => `WHEN regexp_like(__tok, ${quoteString(`^(?:${t.re})$`)}) THEN ${marker(t.type)}`,
  ).join(' ');
  return `array_join(transform(regexp_extract_all(${text}, ${quoteString(PATTERN_PIECES)}), __tok -> CASE WHEN NOT regexp_like(__tok, '[0-9]') THEN __tok ${types} ELSE ${marker(PATTERN_OTHER_TOKEN)} END), '')`;
}

export function patternLabel(x: Lower, template: string): string {
  return x.share(template, (t) => {
    const re = quoteString(PATTERN_MARKER_RE);
    const types = `regexp_extract_all(${t}, ${re}, 1)`;
    const parts = `regexp_split(${t}, ${re})`;
    // sequence(1, 0) is an error in Trino (not an empty array): a template without markers is its own label.
    return `(CASE WHEN cardinality(${types}) = 0 THEN ${t} ELSE ${parts}[1] || array_join(transform(sequence(1, cardinality(${types})), __i -> '<' || ${types}[__i] || '-' || CAST(__i AS VARCHAR) || '>' || ${parts}[__i + 1]), '') END)`;
  });
}

/** A JSON object of counts by key, keys in ascending order (Trino orders a map's keys when casting it to JSON). */
export function countsJson(key: string, count: string, where: string): string {
  return `json_format(CAST(map_agg(${key}, ${count}) FILTER (WHERE ${where}) AS JSON))`;
}
