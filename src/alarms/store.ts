import { AsyncLocalStorage } from 'node:async_hooks';
import type { DuckDBConnection } from '@duckdb/node-api';
import type {
  AlarmExplanation,
  AlarmHistoryEntry as HistoryEntry,
  AlarmSeriesState as SeriesState,
} from '../contracts/wire.js';
import type { Store } from '../store/store.js';
import { inTransaction } from '../store/transaction.js';
import { BiError } from '../util/errors.js';
import { builtinAlarms, parseAlarmDefinition, type AlarmDefinition, type AlarmState } from './definition.js';

/**
 * The alarms' own tables, created on first use (not part of schema.ts): definitions, the state of
 * each series, the history of state changes, and the notification outbox. The outbox row is
 * written in the same transaction as the state change, so a notification is neither lost nor
 * sent twice across a restart (a row marked `sent` is never sent again).
 */
export const ALARM_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS alarm_definitions (
    name VARCHAR PRIMARY KEY,
    definition VARCHAR NOT NULL,
    enabled BOOLEAN NOT NULL,
    builtin BOOLEAN NOT NULL DEFAULT false,
    created_ts BIGINT NOT NULL,
    updated_ts BIGINT NOT NULL
  )`,
  // Built-ins seeded once: deleting one does not bring it back.
  `CREATE TABLE IF NOT EXISTS alarm_builtins_seeded (name VARCHAR PRIMARY KEY)`,
  `CREATE TABLE IF NOT EXISTS alarm_state (
    alarm VARCHAR NOT NULL,
    series VARCHAR NOT NULL,
    labels VARCHAR NOT NULL,
    state VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    value DOUBLE,
    state_ts BIGINT NOT NULL,
    evaluated_ts BIGINT NOT NULL,
    last_notified_ts BIGINT,
    PRIMARY KEY (alarm, series)
  )`,
  `CREATE SEQUENCE IF NOT EXISTS alarm_history_seq START 1`,
  `CREATE TABLE IF NOT EXISTS alarm_history (
    id BIGINT PRIMARY KEY,
    alarm VARCHAR NOT NULL,
    series VARCHAR NOT NULL,
    labels VARCHAR NOT NULL,
    ts BIGINT NOT NULL,
    period_start BIGINT,
    old_state VARCHAR NOT NULL,
    new_state VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    value DOUBLE,
    threshold DOUBLE,
    explanation VARCHAR
  )`,
  `CREATE SEQUENCE IF NOT EXISTS alarm_notification_seq START 1`,
  `CREATE TABLE IF NOT EXISTS alarm_notifications (
    id BIGINT PRIMARY KEY,
    history_id BIGINT,
    alarm VARCHAR NOT NULL,
    series VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    target_index INTEGER NOT NULL,
    target VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error VARCHAR,
    payload VARCHAR NOT NULL,
    created_ts BIGINT NOT NULL,
    sent_ts BIGINT,
    UNIQUE (history_id, target_index, kind)
  )`,
];

export interface StoredAlarm {
  definition: AlarmDefinition;
  enabled: boolean;
  builtin: boolean;
  createdTs: number;
  updatedTs: number;
}

// The rows the console reads over HTTP are defined once in contracts/wire.ts (the web console imports
// them from there too).
export type { SeriesState, HistoryEntry };

export interface NotificationRow {
  id: number;
  historyId: number | null;
  alarm: string;
  series: string;
  kind: 'transition' | 'reminder' | 'test';
  targetIndex: number;
  target: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  payload: string;
  createdTs: number;
  sentTs: number | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class AlarmStore {
  // One connection serves the scheduler and the API: its statements and transactions are
  // serialised here (re-entrant inside a transaction), so a request never lands in, or aborts,
  // the scheduler's open transaction.
  private queue: Promise<unknown> = Promise.resolve();
  private readonly held = new AsyncLocalStorage<boolean>();

  private constructor(
    readonly store: Store,
    readonly conn: DuckDBConnection,
  ) {}

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held.getStore()) return fn();
    const run = this.queue.catch(() => undefined).then(() => this.held.run(true, fn));
    this.queue = run;
    return run;
  }

  /** Opens over a connection of its own, creating the tables and seeding the built-ins once. */
  static async open(store: Store, now: number = Date.now()): Promise<AlarmStore> {
    const conn = await store.connect();
    for (const stmt of ALARM_DDL) await conn.run(stmt);
    const s = new AlarmStore(store, conn);
    for (const d of builtinAlarms()) {
      const seeded = await conn.runAndReadAll('SELECT 1 FROM alarm_builtins_seeded WHERE name = $1', [d.name]);
      if (seeded.getRows().length > 0) continue;
      await conn.run('INSERT INTO alarm_definitions VALUES ($1, $2, $3, true, $4, $4) ON CONFLICT DO NOTHING', [
        d.name,
        JSON.stringify(d),
        d.enabled,
        BigInt(now),
      ]);
      await conn.run('INSERT INTO alarm_builtins_seeded VALUES ($1) ON CONFLICT DO NOTHING', [d.name]);
    }
    return s;
  }

  close(): void {
    try {
      this.conn.closeSync();
    } catch {
      /* already closed */
    }
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.locked(() => inTransaction(this.conn, fn));
  }

  // -- definitions ----------------------------------------------------------------------------

  async put(def: AlarmDefinition, now: number = Date.now()): Promise<void> {
    return this.locked(async () => {
      await this.conn.run(
        `INSERT INTO alarm_definitions VALUES ($1, $2, $3, false, $4, $4)
         ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, enabled = excluded.enabled, updated_ts = excluded.updated_ts`,
        [def.name, JSON.stringify(def), def.enabled, BigInt(now)],
      );
    });
  }

  async list(): Promise<StoredAlarm[]> {
    return this.locked(async () => {
      const r = await this.conn.runAndReadAll('SELECT * FROM alarm_definitions ORDER BY name');
      return r.getRowObjects().map((row) => {
        const definition = parseAlarmDefinition(
          JSON.parse(String(row.definition)),
          `the stored alarm ${String(row.name)}`,
        );
        definition.enabled = Boolean(row.enabled);
        return {
          definition,
          enabled: Boolean(row.enabled),
          builtin: Boolean(row.builtin),
          createdTs: Number(row.created_ts),
          updatedTs: Number(row.updated_ts),
        };
      });
    });
  }

  async get(name: string): Promise<StoredAlarm | undefined> {
    return (await this.list()).find((a) => a.definition.name === name);
  }

  async require(name: string): Promise<StoredAlarm> {
    const a = await this.get(name);
    if (!a)
      throw new BiError(
        'ALARM_NOT_FOUND',
        `There is no alarm named ${name}; \`npx bedrock-insights alarms list\` shows them.`,
      );
    return a;
  }

  /** Deletes the definition with its state, history and notifications. */
  async delete(name: string): Promise<boolean> {
    const existed = (await this.get(name)) !== undefined;
    await this.transaction(async () => {
      for (const t of [
        'alarm_definitions WHERE name',
        'alarm_state WHERE alarm',
        'alarm_history WHERE alarm',
        'alarm_notifications WHERE alarm',
      ]) {
        await this.conn.run(`DELETE FROM ${t} = $1`, [name]);
      }
    });
    return existed;
  }

  // -- state ----------------------------------------------------------------------------------

  async states(alarm?: string): Promise<SeriesState[]> {
    return this.locked(async () => {
      const r = await this.conn.runAndReadAll(
        `SELECT * FROM alarm_state ${alarm !== undefined ? 'WHERE alarm = $1' : ''} ORDER BY alarm, series`,
        alarm !== undefined ? [alarm] : [],
      );
      return r.getRowObjects().map((row) => ({
        alarm: String(row.alarm),
        series: String(row.series),
        labels: JSON.parse(String(row.labels)) as Record<string, string>,
        state: String(row.state) as AlarmState,
        reason: String(row.reason),
        value: num(row.value),
        stateTs: Number(row.state_ts),
        evaluatedTs: Number(row.evaluated_ts),
        lastNotifiedTs: num(row.last_notified_ts),
      }));
    });
  }

  async putState(s: SeriesState): Promise<void> {
    return this.locked(async () => {
      await this.conn.run(
        `INSERT INTO alarm_state VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (alarm, series) DO UPDATE SET labels = excluded.labels, state = excluded.state, reason = excluded.reason, value = excluded.value,
           state_ts = excluded.state_ts, evaluated_ts = excluded.evaluated_ts, last_notified_ts = excluded.last_notified_ts`,
        [
          s.alarm,
          s.series,
          JSON.stringify(s.labels),
          s.state,
          s.reason,
          s.value,
          BigInt(s.stateTs),
          BigInt(s.evaluatedTs),
          s.lastNotifiedTs === null ? null : BigInt(s.lastNotifiedTs),
        ],
      );
    });
  }

  async addHistory(h: Omit<HistoryEntry, 'id'>): Promise<number> {
    return this.locked(async () => {
      const r = await this.conn.runAndReadAll(
        `INSERT INTO alarm_history VALUES (nextval('alarm_history_seq'), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [
          h.alarm,
          h.series,
          JSON.stringify(h.labels),
          BigInt(h.ts),
          h.periodStart === null ? null : BigInt(h.periodStart),
          h.oldState,
          h.newState,
          h.reason,
          h.value,
          h.threshold,
          h.explanation === undefined || h.explanation === null ? null : JSON.stringify(h.explanation),
        ],
      );
      return Number(r.getRows()[0][0]);
    });
  }

  async history(alarm: string, limit = 100): Promise<HistoryEntry[]> {
    return this.locked(async () => {
      const r = await this.conn.runAndReadAll(
        'SELECT * FROM alarm_history WHERE alarm = $1 ORDER BY id DESC LIMIT $2',
        [alarm, limit],
      );
      return r.getRowObjects().map((row) => ({
        id: Number(row.id),
        alarm: String(row.alarm),
        series: String(row.series),
        labels: JSON.parse(String(row.labels)) as Record<string, string>,
        ts: Number(row.ts),
        periodStart: num(row.period_start),
        oldState: String(row.old_state) as AlarmState,
        newState: String(row.new_state) as AlarmState,
        reason: String(row.reason),
        value: num(row.value),
        threshold: num(row.threshold),
        explanation: row.explanation === null ? null : (JSON.parse(String(row.explanation)) as AlarmExplanation),
      }));
    });
  }

  // -- notifications --------------------------------------------------------------------------

  /** Queues one notification; a second call for the same history entry, target and kind is a no-op. */
  async enqueue(n: {
    historyId: number | null;
    alarm: string;
    series: string;
    kind: NotificationRow['kind'];
    targetIndex: number;
    target: string;
    payload: string;
    createdTs: number;
  }): Promise<void> {
    return this.locked(async () => {
      await this.conn.run(
        `INSERT INTO alarm_notifications (id, history_id, alarm, series, kind, target_index, target, status, attempts, payload, created_ts)
         VALUES (nextval('alarm_notification_seq'), $1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8) ON CONFLICT DO NOTHING`,
        [
          n.historyId === null ? null : BigInt(n.historyId),
          n.alarm,
          n.series,
          n.kind,
          n.targetIndex,
          n.target,
          n.payload,
          BigInt(n.createdTs),
        ],
      );
    });
  }

  async pending(): Promise<NotificationRow[]> {
    return this.notifications(`WHERE status = 'pending' ORDER BY id`);
  }

  async recentNotifications(alarm: string, limit = 50): Promise<NotificationRow[]> {
    return this.notifications('WHERE alarm = $1 ORDER BY id DESC LIMIT $2', [alarm, limit]);
  }

  private async notifications(tail: string, params: (string | number)[] = []): Promise<NotificationRow[]> {
    return this.locked(async () => {
      const r = await this.conn.runAndReadAll(`SELECT * FROM alarm_notifications ${tail}`, params);
      return r.getRowObjects().map((row) => ({
        id: Number(row.id),
        historyId: num(row.history_id),
        alarm: String(row.alarm),
        series: String(row.series),
        kind: String(row.kind) as NotificationRow['kind'],
        targetIndex: Number(row.target_index),
        target: String(row.target),
        status: String(row.status) as NotificationRow['status'],
        attempts: Number(row.attempts),
        lastError: row.last_error === null ? null : String(row.last_error),
        payload: String(row.payload),
        createdTs: Number(row.created_ts),
        sentTs: num(row.sent_ts),
      }));
    });
  }

  async markNotification(
    id: number,
    status: 'sent' | 'failed',
    attempts: number,
    error: string | null,
    now: number,
  ): Promise<void> {
    return this.locked(async () => {
      await this.conn.run(
        'UPDATE alarm_notifications SET status = $2, attempts = $3, last_error = $4, sent_ts = $5 WHERE id = $1',
        [BigInt(id), status, attempts, error, status === 'sent' ? BigInt(now) : null],
      );
    });
  }
}
