// The Alarms page's calls to /api/alarms (src/api/alarmRoutes.ts).

// The shapes are the server's own (src/contracts/wire.ts, built by src/api/alarmRoutes.ts).
import type {
  AlarmDetail,
  AlarmDisabled,
  AlarmEnabled,
  AlarmEvaluation,
  AlarmHistoryEntry as HistoryEntry,
  AlarmList,
  AlarmNotificationEntry as NotificationEntry,
  AlarmSeriesChart as SeriesChart,
  AlarmSeriesState as SeriesState,
  AlarmState,
  AlarmSummary,
  AlarmTestDeliveries,
} from '../../../src/contracts/wire';

export type { AlarmDetail, AlarmState, AlarmSummary, HistoryEntry, NotificationEntry, SeriesChart, SeriesState };

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
  list: () => call<AlarmList>('GET', '/api/alarms'),
  get: (name: string) => call<AlarmDetail>('GET', `/api/alarms/${enc(name)}`),
  series: (name: string, since: number, until: number) =>
    call<SeriesChart>('GET', `/api/alarms/${enc(name)}/series?since=${since}&until=${until}`),
  evaluate: () => call<AlarmEvaluation>('POST', '/api/alarms/evaluate', {}),
  testNotify: (name: string) => call<AlarmTestDeliveries>('POST', `/api/alarms/${enc(name)}/test-notify`, {}),
  enable: (name: string, to: string[]) => call<AlarmEnabled>('POST', `/api/alarms/${enc(name)}/enable`, { to }),
  disable: (name: string) => call<AlarmDisabled>('POST', `/api/alarms/${enc(name)}/disable`, {}),
};
