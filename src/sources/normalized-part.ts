import type { StoredEvent } from '../logs/event.js';
import { rowExtras, type RowExtras } from '../store/writer.js';
import { normalizeText, type RecordText, type TextContext, type TextResult } from './normalize-text.js';

/**
 * Record texts on their way to the normaliser thread, and their events on their way back. What
 * crosses between threads is copied (structured clone), so both directions are column-wise: the
 * texts as one array, the events' numbers in typed arrays (moved, not copied), and their short
 * repeated strings (stream, model, region, operation…) as numbers into a dictionary of the part.
 * The part's unique strings (message, event key, request id, metadata) are the only strings
 * copied per event. An object per event, cloned, would copy each of its ~20 property names too.
 */

/** Record texts sent to the thread: RecordText column-wise. */
export interface TextPart {
  ctx: TextContext;
  raws: string[];
  ingestion: Float64Array;
  eventTs: Float64Array;
  /** 0: the record has no event timestamp (its own is @timestamp); eventTs may be NaN (a bad time). */
  hasEventTs: Uint8Array;
  streams: string[];
  streamOf: Int32Array;
}

/** Builds a TextPart record by record (the chunk writer, as readers add texts). */
export class TextPartBuilder {
  readonly raws: string[] = [];
  private readonly ingestion: number[] = [];
  private readonly eventTs: number[] = [];
  private readonly hasEventTs: number[] = [];
  private readonly streams: string[] = [];
  private readonly streamIds = new Map<string, number>();
  private readonly streamOf: number[] = [];
  /** Characters of the texts added. */
  chars = 0;

  constructor(private readonly ctx: TextContext) {}

  get size(): number {
    return this.raws.length;
  }

  add(r: RecordText): void {
    this.raws.push(r.raw);
    this.ingestion.push(r.ingestionTime);
    this.eventTs.push(r.eventTimestamp ?? 0);
    this.hasEventTs.push(r.eventTimestamp === undefined ? 0 : 1);
    let s = this.streamIds.get(r.logStream);
    if (s === undefined) {
      s = this.streams.push(r.logStream) - 1;
      this.streamIds.set(r.logStream, s);
    }
    this.streamOf.push(s);
    this.chars += r.raw.length;
  }

  build(): TextPart {
    return {
      ctx: this.ctx,
      raws: this.raws,
      ingestion: Float64Array.from(this.ingestion),
      eventTs: Float64Array.from(this.eventTs),
      hasEventTs: Uint8Array.from(this.hasEventTs),
      streams: this.streams,
      streamOf: Int32Array.from(this.streamOf),
    };
  }
}

/** The record texts of a TextPart. */
export function* recordTexts(p: TextPart): Generator<RecordText> {
  for (let i = 0; i < p.raws.length; i++) {
    yield {
      raw: p.raws[i],
      ingestionTime: p.ingestion[i],
      ...(p.hasEventTs[i] ? { eventTimestamp: p.eventTs[i] } : {}),
      logStream: p.streams[p.streamOf[i]],
    };
  }
}

/** Dictionary-coded string fields of an event, in this order in `codes` (-1: null). */
const CODED = 9;
/** Number fields of an event, in this order in `nums` (NaN: null). */
const NUMBERS = 6;

/** The events (and rejections) of a TextPart, in its record order. */
export interface NormalizedPart {
  /** Records of the part. */
  n: number;
  /** Rejected records: their place in the part, ascending, and why. */
  rejects: { i: number; reason: string; field?: string }[];
  dict: string[];
  codes: Int32Array;
  nums: Float64Array;
  keys: string[];
  messages: string[];
  requestIds: (string | null)[];
  md: (string | null)[];
  /** Signatures of the part (RowExtras.sig), each once; `sigOf` numbers them per event. */
  sigs: string[];
  sigOf: Int32Array;
  bytes: Float64Array;
}

/** Normalises a part's record texts (normalizeText) and puts the results column-wise. */
export function normalizePart(p: TextPart): NormalizedPart {
  return encodePart(normalizeAll(p));
}

/** normalizeText of each record text of a part, in order: what the thread and normalizeHere run. */
function normalizeAll(p: TextPart): TextResult[] {
  const results: TextResult[] = [];
  for (const r of recordTexts(p)) results.push(normalizeText(r, p.ctx));
  return results;
}

/** The objects to move rather than copy when posting texts to the thread. */
export function textTransferables(p: TextPart): ArrayBuffer[] {
  return [p.ingestion, p.eventTs, p.hasEventTs, p.streamOf].map((a) => a.buffer as ArrayBuffer);
}

/** The objects to move rather than copy when posting a part back. */
export function transferables(p: NormalizedPart): ArrayBuffer[] {
  return [p.codes, p.nums, p.sigOf, p.bytes].map((a) => a.buffer as ArrayBuffer);
}

export function encodePart(results: readonly TextResult[]): NormalizedPart {
  const events = results.filter((r): r is { ok: true; event: StoredEvent } => r.ok).length;
  const dict: string[] = [];
  const dictIds = new Map<string, number>();
  const code = (v: string | null): number => {
    if (v === null) return -1;
    let c = dictIds.get(v);
    if (c === undefined) {
      c = dict.push(v) - 1;
      dictIds.set(v, c);
    }
    return c;
  };
  const part: NormalizedPart = {
    n: results.length,
    rejects: [],
    dict,
    codes: new Int32Array(events * CODED),
    nums: new Float64Array(events * NUMBERS),
    keys: [],
    messages: [],
    requestIds: [],
    md: [],
    sigs: [],
    sigOf: new Int32Array(events),
    bytes: new Float64Array(events),
  };
  const sigIds = new Map<string, number>();
  let k = 0;
  results.forEach((r, i) => {
    if (!r.ok) {
      part.rejects.push({ i, reason: r.reason, ...(r.field === undefined ? {} : { field: r.field }) });
      return;
    }
    const e = r.event;
    const c = k * CODED;
    part.codes[c] = code(e.logStream);
    part.codes[c + 1] = code(e.kind);
    part.codes[c + 2] = code(e.accountId);
    part.codes[c + 3] = code(e.region);
    part.codes[c + 4] = code(e.inferenceRegion);
    part.codes[c + 5] = code(e.operation);
    part.codes[c + 6] = code(e.modelId);
    part.codes[c + 7] = code(e.identityArn);
    part.codes[c + 8] = code(e.errorCode);
    const m = k * NUMBERS;
    part.nums[m] = e.timestamp;
    part.nums[m + 1] = e.ingestionTime;
    part.nums[m + 2] = e.inputTokens ?? NaN;
    part.nums[m + 3] = e.outputTokens ?? NaN;
    part.nums[m + 4] = e.cacheReadTokens ?? NaN;
    part.nums[m + 5] = e.cacheWriteTokens ?? NaN;
    part.keys.push(e.eventKey);
    part.messages.push(e.message);
    part.requestIds.push(e.requestId);
    const x = rowExtras(e);
    part.md.push(x.md);
    let s = sigIds.get(x.sig);
    if (s === undefined) {
      s = part.sigs.push(x.sig) - 1;
      sigIds.set(x.sig, s);
    }
    part.sigOf[k] = s;
    part.bytes[k] = x.bytes;
    k++;
  });
  return part;
}

export type PartRow =
  { ok: true; event: StoredEvent; extras: RowExtras } | { ok: false; reason: string; field?: string };

/** The records of a part, in order, as the chunk writer applies them. */
export interface RowReader {
  readonly done: boolean;
  read(): PartRow;
}

/** A part normalised on the main thread (the thread had enough to do): its results as they are. */
export class ResultsReader implements RowReader {
  private i = 0;
  constructor(private readonly results: readonly TextResult[]) {}

  get done(): boolean {
    return this.i >= this.results.length;
  }

  read(): PartRow {
    const r = this.results[this.i++];
    return r.ok ? { ok: true, event: r.event, extras: rowExtras(r.event) } : r;
  }
}

/** Normalises a part's record texts here (normalizeText, as the thread does). */
export function normalizeHere(p: TextPart): ResultsReader {
  return new ResultsReader(normalizeAll(p));
}

/**
 * Reads a NormalizedPart back, record by record, in order. An event is a view: the same object
 * each time, valid until the next read (EventBatch.pushRow copies its values); its
 * requestMetadata and fieldNames are not filled (the extras carry them as the batch keeps them).
 */
export class PartReader implements RowReader {
  private i = 0;
  private k = 0;
  private r = 0;
  private readonly event: StoredEvent;
  private readonly extras: RowExtras = { md: null, sig: '', bytes: 0 };
  private readonly row: PartRow;

  constructor(
    private readonly part: NormalizedPart,
    logGroup: string,
  ) {
    this.event = {
      logGroup,
      logStream: '',
      timestamp: 0,
      ingestionTime: 0,
      eventKey: '',
      kind: 'bedrock',
      message: '',
      accountId: null,
      region: null,
      inferenceRegion: null,
      operation: null,
      modelId: null,
      identityArn: null,
      requestId: null,
      errorCode: null,
      inputTokens: null,
      outputTokens: null,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      requestMetadata: null,
      fieldNames: [],
    };
    this.row = { ok: true, event: this.event, extras: this.extras };
  }

  get done(): boolean {
    return this.i >= this.part.n;
  }

  read(): PartRow {
    const p = this.part;
    const i = this.i++;
    const rej = p.rejects[this.r];
    if (rej?.i === i) {
      this.r++;
      return { ok: false, reason: rej.reason, ...(rej.field === undefined ? {} : { field: rej.field }) };
    }
    const k = this.k++;
    const e = this.event;
    const c = k * CODED;
    const s = (j: number): string | null => (p.codes[c + j] < 0 ? null : p.dict[p.codes[c + j]]);
    e.logStream = s(0) ?? '';
    e.kind = s(1) === 'generic' ? 'generic' : 'bedrock';
    e.accountId = s(2);
    e.region = s(3);
    e.inferenceRegion = s(4);
    e.operation = s(5);
    e.modelId = s(6);
    e.identityArn = s(7);
    e.errorCode = s(8);
    const m = k * NUMBERS;
    const n = (j: number): number | null => (Number.isNaN(p.nums[m + j]) ? null : p.nums[m + j]);
    e.timestamp = p.nums[m];
    e.ingestionTime = p.nums[m + 1];
    e.inputTokens = n(2);
    e.outputTokens = n(3);
    e.cacheReadTokens = n(4);
    e.cacheWriteTokens = n(5);
    e.eventKey = p.keys[k];
    e.message = p.messages[k];
    e.requestId = p.requestIds[k];
    this.extras.md = p.md[k];
    this.extras.sig = p.sigs[p.sigOf[k]];
    this.extras.bytes = p.bytes[k];
    return this.row;
  }
}
