import type { Store } from '../store/store.js';
import { awsFindings, type AwsCheckOptions } from './aws-checks.js';
import { dataFindings, type DataCheckOptions } from './data-checks.js';
import { SEVERITY_ORDER, type DoctorReport } from './types.js';

export type { DoctorReport, Finding, Severity } from './types.js';
export { dataFindings, principalOf, APPLICATION_KEYS } from './data-checks.js';
export { awsFindings } from './aws-checks.js';
export { editDistance, likelyMisspellings } from './similar.js';
export { renderText } from './render.js';

export interface DoctorOptions extends DataCheckOptions {
  /** Regions for the AWS checks; default: the regions in the data, else the SDK's default region. */
  regions?: string[];
  /** false: only the data checks. */
  aws?: boolean;
  endpointUrl?: string;
  logsEndpointUrl?: string;
  credentials?: AwsCheckOptions['credentials'];
}

/** Runs the data checks on the store (when given) and, with credentials, the AWS checks. */
export async function runDoctor(store: Store | null, o: DoctorOptions = {}): Promise<DoctorReport> {
  const findings = store ? await dataFindings(store, o) : [];
  let regions = o.regions ?? [];
  if (regions.length === 0 && store) {
    const r = await store.connection.runAndReadAll(
      `SELECT DISTINCT region FROM events WHERE kind = 'bedrock' AND region IS NOT NULL ORDER BY 1`,
    );
    regions = r
      .getRows()
      .map(([x]) => String(x))
      .filter((x) => /^[a-z]{2}(-[a-z]+)+-\d$/.test(x));
  }
  if (regions.length === 0) {
    const env = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (env) regions = [env];
  }
  let aws: DoctorReport['aws'] = { ran: false, regions, skipped: 'not requested' };
  if (o.aws !== false) {
    if (regions.length === 0) {
      aws = {
        ran: false,
        regions,
        skipped: 'no region: pass --region (the store has no Bedrock records to take regions from)',
      };
    } else {
      const r = await awsFindings({
        regions,
        ...(o.endpointUrl ? { endpointUrl: o.endpointUrl } : {}),
        ...(o.logsEndpointUrl ? { logsEndpointUrl: o.logsEndpointUrl } : {}),
        ...(o.credentials ? { credentials: o.credentials } : {}),
      });
      findings.unshift(...r.findings);
      aws = { ran: r.ran, regions, ...(r.skipped ? { skipped: r.skipped } : {}) };
    }
  }
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  return { generatedAt: new Date().toISOString(), store: store?.path ?? null, aws, findings };
}
