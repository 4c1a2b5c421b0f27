/*
 * A module of its own, without zod, so that every CLI command can decide whether it could run
 * through a server before loading what talking to one needs (`check` without a store stays light).
 */

/**
 * The commands that work on a store and so run through the server that holds it. The others
 * (generate, serve, demo, trino, athena) never touch a store a server holds.
 */
export const THROUGH_SERVER = new Set([
  'query',
  'ingest',
  'check',
  'doctor',
  'prices',
  'alarms',
  'chargeback',
  'report',
  'reconcile',
  'daily',
  'monthly',
  'sync',
]);
