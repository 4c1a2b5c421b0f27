/** A string literal for SQL text built here (values users control are quoted, never spliced). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
