import type { DoctorReport } from './types.js';

const MARK = { error: 'ERROR', warning: 'WARN ', info: 'INFO ', ok: 'OK   ' } as const;

/** The report as text for a terminal: one block per finding, most severe first. */
export function renderText(r: DoctorReport): string {
  const lines: string[] = [];
  lines.push(`bedrock-insights doctor — ${r.generatedAt}${r.store ? `, store ${r.store}` : ''}`);
  lines.push(
    r.aws.ran ? `AWS checks: ${r.aws.regions.join(', ')}` : `AWS checks skipped: ${r.aws.skipped ?? 'not run'}`,
  );
  const counts = { error: 0, warning: 0, info: 0, ok: 0 };
  for (const f of r.findings) counts[f.severity]++;
  lines.push(`${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} note(s), ${counts.ok} ok`);
  for (const f of r.findings) {
    lines.push('');
    lines.push(`${MARK[f.severity]} ${f.title}`);
    for (const d of f.detail.split('\n')) lines.push(`      ${d}`);
    if (f.nextStep) lines.push(`      → ${f.nextStep}`);
  }
  return lines.join('\n') + '\n';
}
