export type Severity = 'error' | 'warning' | 'info' | 'ok';

/** One thing the doctor measured: what it means and what to do about it. */
export interface Finding {
  /** Stable identifier of the check (`logging.disabled`, `metadata.untagged`…), for scripts. */
  check: string;
  severity: Severity;
  title: string;
  /** Figures behind the finding, in words. */
  detail: string;
  /** The concrete next step (a command, a code change, a file entry). Empty for `ok`. */
  nextStep: string;
  /** Machine-readable figures (JSON output). */
  data?: Record<string, unknown>;
}

export interface DoctorReport {
  generatedAt: string;
  store: string | null;
  /** Whether the AWS checks ran (credentials found), and why not otherwise. */
  aws: { ran: boolean; regions: string[]; skipped?: string };
  findings: Finding[];
}

export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2, ok: 3 };
