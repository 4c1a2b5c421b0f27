// The Alarms page's calls to /api/alarms (src/api/alarmRoutes.ts).

// The state and history rows are the server's own (src/contracts/wire.ts); the page reads the
// history's explanation, which the server stores as free JSON, in the shape the evaluator writes.
import type { AlarmHistoryEntry, AlarmSeriesState as SeriesState, AlarmState } from '../../../src/contracts/wire';

export type { AlarmState, SeriesState };

export interface AlarmSummary {
  name: string;
  kind: string;
  description: string | null;
  enabled: boolean;
  builtin: boolean;
  state: AlarmState;
  series: SeriesState[];
  targets: string[];
  updated: number;
}

export interface HistoryEntry extends Omit<AlarmHistoryEntry, 'explanation'> {
  explanation: {
    consoleUrl?: string;
    drivers?: { dimension: string; items: { value: string; current: number; previous: number }[] }[];
  } | null;
}

export interface NotificationEntry {
  id: number;
  kind: string;
  series: string;
  target: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  error: string | null;
  created: number;
  sent: number | null;
  state: string | null;
}

export interface AlarmDetail {
  definition: {
    name: string;
    kind: string;
    description?: string;
    period: number;
    threshold?: number;
    comparisonOperator: string;
    evaluationPeriods: number;
    datapointsToAlarm?: number;
    treatMissingData: string;
    targets: string[];
  };
  enabled: boolean;
  builtin: boolean;
  states: SeriesState[];
  history: HistoryEntry[];
  notifications: NotificationEntry[];
}

export interface SeriesChart {
  period: number;
  threshold: number | null;
  since: number;
  until: number;
  values: Record<string, [number, number][]>;
  transitions: {
    series: string;
    at: number;
    from: AlarmState;
    to: AlarmState;
    value: number | null;
    threshold: number | null;
  }[];
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    body: body !== undefined ? JSON.stringify(body) : null,
  });
  if (res.status === 401) {
    window.location.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
    throw new Error('Sign in with the access token.');
  }
  const json = (await res.json().catch(() => ({}))) as T & { error?: { message?: string } };
  if (!res.ok) throw new Error(json.error?.message ?? `Request failed (${res.status}).`);
  return json;
}

const enc = encodeURIComponent;
export const alarmsApi = {
  list: () => call<{ alarms: AlarmSummary[]; lastEvaluation: number | null }>('GET', '/api/alarms'),
  get: (name: string) => call<AlarmDetail>('GET', `/api/alarms/${enc(name)}`),
  series: (name: string, since: number, until: number) =>
    call<SeriesChart>('GET', `/api/alarms/${enc(name)}/series?since=${since}&until=${until}`),
  evaluate: () => call<{ alarms: { name: string; error?: string }[] }>('POST', '/api/alarms/evaluate', {}),
  testNotify: (name: string) =>
    call<{ deliveries: { ok: boolean; target: string; error?: string }[] }>(
      'POST',
      `/api/alarms/${enc(name)}/test-notify`,
      {},
    ),
  enable: (name: string, to: string[]) =>
    call<{ targets: string[] }>('POST', `/api/alarms/${enc(name)}/enable`, { to }),
  disable: (name: string) => call<unknown>('POST', `/api/alarms/${enc(name)}/disable`, {}),
};
