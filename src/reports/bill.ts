import { existsSync } from 'node:fs';
import type { Store } from '../store/store.js';
import { BiError } from '../util/errors.js';

/**
 * Reading the real bill: a Cost Explorer CSV export or CUR 2.0 line items (CSV or Parquet),
 * through DuckDB's built-in read_csv / read_parquet. Every format becomes the same list of
 * BillLine values; which model a line is for is decided later (reconcile.ts).
 */

export type BillFormat = 'cur2' | 'cost-explorer' | 'cost-explorer-long';

export interface BillLine {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** What the bill calls it: a usage type (`USE1-ClaudeSonnet4.5-input-tokens`), a product or model name. */
  label: string;
  /** The region code prefix of a usage type (USE1, EUC1…), when there is one. */
  regionCode: string | null;
  /** usage (billable use of a model) or adjustment (credit, refund, discount, tax, fee…). */
  kind: 'usage' | 'adjustment';
  /** Line item type as billed (CUR), for adjustments: Credit, Tax… */
  lineType: string;
  cost: number;
  /** The resource (model or inference-profile ARN) when the export has resource ids. */
  resource: string | null;
}

export interface Bill {
  file: string;
  format: BillFormat;
  lines: BillLine[];
  /** Lines left out because they are not Amazon Bedrock (other services in the same export). */
  skippedOtherServices: number;
}

type Rec = Record<string, string | null>;

async function readRows(store: Store, file: string): Promise<Rec[]> {
  if (!existsSync(file)) throw new BiError('BILL_NOT_FOUND', `The bill file ${file} does not exist.`);
  const path = file.replace(/'/g, "''");
  const source = /\.parquet$/i.test(file)
    ? `read_parquet('${path}')`
    : `read_csv('${path}', header = true, all_varchar = true, auto_detect = true, null_padding = true)`;
  let reader;
  try {
    // COLUMNS(*)::VARCHAR: timestamps, decimals and maps all arrive as text, converted below.
    reader = await store.connection.runAndReadAll(`SELECT COLUMNS(*)::VARCHAR FROM ${source}`);
  } catch (e) {
    throw new BiError(
      'BILL_UNREADABLE',
      `Cannot read the bill ${file}: ${(e as Error).message.split('\n')[0]}. Give a Cost Explorer CSV export or CUR 2.0 data (CSV or Parquet).`,
    );
  }
  const names = reader.columnNames();
  return reader.getRows().map((row) => {
    const o: Rec = {};
    names.forEach((n, i) => {
      o[n] = row[i] === null || row[i] === undefined ? null : String(row[i]);
    });
    return o;
  });
}

function findCol(names: string[], candidates: string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  for (const c of candidates) {
    const hit = names.find((n) => norm(n) === norm(c));
    if (hit) return hit;
  }
  return undefined;
}

function money(v: string | null | undefined): number {
  if (v === null || v === undefined) return 0;
  const s = v.replace(/[$,\s]/g, '');
  if (s === '' || s === '-') return 0;
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
}

function dayOf(v: string | null | undefined): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec((v ?? '').trim());
  return m ? m[1] : null;
}

const REGION_CODE = /^([A-Z]{2,4}\d?)-(.+)$/;
const ADJUSTMENT_TYPES = /credit|refund|discount|tax|fee|rounding|bundled|edp|privaterate|savingsplannegation/i;

function splitUsageType(label: string): { regionCode: string | null; rest: string } {
  const m = REGION_CODE.exec(label.trim());
  return m ? { regionCode: m[1], rest: m[2] } : { regionCode: null, rest: label.trim() };
}

function fromCur(rows: Rec[], names: string[], file: string): Bill {
  const dayCol = findCol(names, [
    'line_item_usage_start_date',
    'lineItem/UsageStartDate',
    'bill_billing_period_start_date',
  ])!;
  const typeCol = findCol(names, ['line_item_usage_type', 'lineItem/UsageType']);
  const costCol = findCol(names, [
    'line_item_unblended_cost',
    'lineItem/UnblendedCost',
    'line_item_net_unblended_cost',
    'line_item_blended_cost',
  ]);
  const lineTypeCol = findCol(names, ['line_item_line_item_type', 'lineItem/LineItemType']);
  const productCol = findCol(names, ['line_item_product_code', 'lineItem/ProductCode']);
  const productNameCol = findCol(names, ['product_product_name', 'product/ProductName', 'product_servicecode']);
  const resourceCol = findCol(names, ['line_item_resource_id', 'lineItem/ResourceId']);
  const descCol = findCol(names, ['line_item_line_item_description', 'lineItem/LineItemDescription']);
  const productMap = findCol(names, ['product']);
  if (!costCol)
    throw new BiError('BILL_UNREADABLE', `${file} looks like CUR data but has no line_item_unblended_cost column.`);
  const lines: BillLine[] = [];
  let skipped = 0;
  for (const r of rows) {
    const service = `${productCol ? (r[productCol] ?? '') : ''} ${productNameCol ? (r[productNameCol] ?? '') : ''} ${productMap ? (r[productMap] ?? '') : ''} ${descCol ? (r[descCol] ?? '') : ''}`;
    if (!/bedrock/i.test(service)) {
      skipped += 1;
      continue;
    }
    const day = dayOf(r[dayCol]);
    if (!day) continue;
    const lineType = (lineTypeCol ? r[lineTypeCol] : null) ?? 'Usage';
    const usageType = (typeCol ? r[typeCol] : null) ?? '';
    const { regionCode } = splitUsageType(usageType);
    const adjustment = ADJUSTMENT_TYPES.test(lineType);
    lines.push({
      day,
      label: usageType || (productNameCol ? (r[productNameCol] ?? '') : ''),
      regionCode,
      kind: adjustment ? 'adjustment' : 'usage',
      lineType,
      cost: money(r[costCol]),
      resource: resourceCol ? (r[resourceCol] ?? null) : null,
    });
  }
  return { file, format: 'cur2', lines, skippedOtherServices: skipped };
}

/**
 * Cost Explorer's "Download CSV": one row per day (`2026-10-01`, or a `… total` row that is
 * skipped), one column per group (`USE1-ClaudeSonnet4.5-input-tokens($)`), and a `Total costs($)`
 * column that is skipped. Grouped by service, a `Claude … (Amazon Bedrock Edition)($)` column is a
 * model; an `Amazon Bedrock($)` column is Bedrock as a whole (no model).
 */
function fromCostExplorerWide(rows: Rec[], names: string[], file: string): Bill {
  const first = names[0];
  const lines: BillLine[] = [];
  let skipped = 0;
  for (const r of rows) {
    const day = dayOf(r[first]);
    if (!day) continue;
    for (const n of names.slice(1)) {
      if (/^total/i.test(n.trim())) continue;
      const label = n.replace(/\s*\(\$\)\s*$/, '').trim();
      const cost = money(r[n]);
      if (cost === 0) continue;
      const { regionCode } = splitUsageType(label);
      // Credits, refunds and tax of a Bedrock-filtered export are Bedrock's (filter the export to
      // Amazon Bedrock and its Marketplace models before downloading it).
      const adjustment = ADJUSTMENT_TYPES.test(label) && !/token/i.test(label);
      const isBedrockGroup =
        adjustment ||
        /bedrock|token|claude|nova|titan|llama|mistral|cohere|jamba|deepseek|anthropic|meta|ai21|writer|qwen|gpt/i.test(
          label,
        );
      if (!isBedrockGroup) {
        skipped += 1;
        continue;
      }
      lines.push({
        day,
        label,
        regionCode,
        kind: adjustment ? 'adjustment' : 'usage',
        lineType: adjustment ? label : 'Usage',
        cost,
        resource: null,
      });
    }
  }
  return { file, format: 'cost-explorer', lines, skippedOtherServices: skipped };
}

/** A tidy export: one row per day and group, with a cost column. */
function fromLong(rows: Rec[], names: string[], file: string, dayCol: string, costCol: string): Bill {
  const labelCol =
    findCol(names, [
      'usage_type',
      'usage type',
      'usagetype',
      'model',
      'model_name',
      'group',
      'service',
      'api operation',
      'operation',
    ]) ?? names.find((n) => n !== dayCol && n !== costCol);
  const typeCol = findCol(names, ['record_type', 'record type', 'charge_type', 'line_item_type']);
  const lines: BillLine[] = [];
  for (const r of rows) {
    const day = dayOf(r[dayCol]);
    if (!day) continue;
    const label = (labelCol ? r[labelCol] : null) ?? '';
    const lineType = (typeCol ? r[typeCol] : null) ?? 'Usage';
    const adjustment = ADJUSTMENT_TYPES.test(lineType);
    lines.push({
      day,
      label,
      regionCode: splitUsageType(label).regionCode,
      kind: adjustment ? 'adjustment' : 'usage',
      lineType,
      cost: money(r[costCol]),
      resource: null,
    });
  }
  return { file, format: 'cost-explorer-long', lines, skippedOtherServices: 0 };
}

export async function readBill(store: Store, file: string): Promise<Bill> {
  const rows = await readRows(store, file);
  if (rows.length === 0) throw new BiError('BILL_EMPTY', `The bill ${file} has no rows.`);
  const names = Object.keys(rows[0]);
  if (findCol(names, ['line_item_usage_start_date', 'lineItem/UsageStartDate'])) return fromCur(rows, names, file);
  const dayCol = findCol(names, [
    'date',
    'day',
    'usage_date',
    'start',
    'time period',
    'timeperiod.start',
    'usage_start_date',
  ]);
  const costCol = findCol(names, [
    'cost',
    'amount',
    'unblended_cost',
    'unblendedcost',
    'unblended cost',
    'cost($)',
    'cost ($)',
    'blended_cost',
  ]);
  if (dayCol && costCol) return fromLong(rows, names, file, dayCol, costCol);
  if (names.some((n) => /\(\$\)\s*$/.test(n))) return fromCostExplorerWide(rows, names, file);
  throw new BiError(
    'BILL_UNRECOGNISED',
    `${file} is neither a Cost Explorer CSV export (a date column and "…($)" columns) nor CUR 2.0 data (line_item_usage_start_date, line_item_usage_type, line_item_unblended_cost). Columns found: ${names.slice(0, 8).join(', ')}.`,
  );
}
