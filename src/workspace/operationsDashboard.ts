import type { DashboardBody } from '../contracts/wire.js';
import { operationsWidgets } from '../contracts/ops-widgets.js';

export const OPERATIONS_DASHBOARD_ID = 'bedrock-operations';
export const OPERATIONS_DASHBOARD_NAME = 'Bedrock operations';

/** The second built-in dashboard: the operations widgets (src/contracts/ops-widgets.ts) over the last day. */
export function operationsDashboardBody(): DashboardBody {
  return { range: { kind: 'relative', value: '1d' }, refresh: 'off', totals: false, widgets: operationsWidgets() };
}
