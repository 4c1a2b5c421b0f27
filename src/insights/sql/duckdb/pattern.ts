/** DuckDB spelling of the pattern command's token masking and numbering (rules: ../patterns.ts). */
import type { Lower } from '../dialect.js';
import { PATTERN_MARKER_RE, PATTERN_OTHER_TOKEN, PATTERN_PIECES, PATTERN_TOKEN_TYPES } from '../patterns.js';
import { quoteString } from './text.js';

const marker = (type: string) => `chr(1) || ${quoteString(type)} || chr(2)`;

export function patternTemplate(_x: Lower, text: string): string {
  const types = PATTERN_TOKEN_TYPES.map(
    (t) => `WHEN regexp_full_match(__tok, ${quoteString(t.re)}) THEN ${marker(t.type)}`,
  ).join(' ');
  return `array_to_string(list_transform(regexp_extract_all(${text}, ${quoteString(PATTERN_PIECES)}), __tok -> CASE WHEN NOT regexp_matches(__tok, '[0-9]') THEN __tok ${types} ELSE ${marker(PATTERN_OTHER_TOKEN)} END), '')`;
}

export function patternLabel(x: Lower, template: string): string {
  return x.share(template, (t) => {
    const re = quoteString(PATTERN_MARKER_RE);
    const types = `regexp_extract_all(${t}, ${re}, 1)`;
    const parts = `string_split_regex(${t}, ${re})`;
    return `(${parts}[1] || array_to_string(list_transform(range(1, len(${types}) + 1), __i -> '<' || ${types}[__i] || '-' || CAST(__i AS VARCHAR) || '>' || ${parts}[__i + 1]), ''))`;
  });
}

export function countsJson(key: string, count: string, where: string): string {
  return `CAST(to_json(map(list(${key} ORDER BY ${key}) FILTER (WHERE ${where}), list(${count} ORDER BY ${key}) FILTER (WHERE ${where}))) AS VARCHAR)`;
}
