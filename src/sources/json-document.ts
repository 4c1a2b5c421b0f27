/**
 * Splits a JSON document that is not one-record-per-line (a pretty-printed record, several of
 * them one after another, a JSON array of records, a CloudWatch export or subscription payload) into
 * its top-level values,
 * remembering on which line each value, each array element and each CloudWatch event starts, so
 * that a bad record is reported with its line.
 */
export interface DocumentValue {
  start: number;
  end: number;
  line: number;
  /** Top-level arrays: the line of each element. */
  elementLines: number[];
  /** Top-level objects: the line of each element of their `events` (or `logEvents`) array. */
  eventLines: number[];
}

export interface ScannedDocument {
  values: DocumentValue[];
  /** Text that is not JSON: the line and offset of the value it spoils. */
  error?: { line: number; start: number };
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d, 0xfeff]);

export function scanJsonDocument(text: string): ScannedDocument {
  const values: DocumentValue[] = [];
  let line = 1;
  let depth = 0;
  let inStr = false;
  let esc = false;
  let cur: DocumentValue | null = null;
  // Per open container: is it an array, and (for depth-1 objects) the key being read.
  const isArray: boolean[] = [];
  let expectValue = false; // inside an array we report lines of: waiting for an element
  let strStart = -1;
  let lastString = '';
  let key = '';
  let eventsOpen = false; // the current depth-2 container is the top object's `events` array
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) line++;
    if (inStr) {
      if (esc) esc = false;
      else if (c === 0x5c) esc = true;
      else if (c === 0x22) {
        inStr = false;
        if (depth === 1) lastString = text.slice(strStart + 1, i);
      }
      continue;
    }
    if (WS.has(c)) continue;
    if (depth === 0) {
      if (c !== 0x7b && c !== 0x5b) {
        // A scalar at the top level: take it up to the next whitespace as one value.
        let j = i;
        while (j < text.length && !WS.has(text.charCodeAt(j)) && text[j] !== '{' && text[j] !== '[') j++;
        values.push({ start: i, end: j, line, elementLines: [], eventLines: [] });
        i = j - 1;
        continue;
      }
      cur = { start: i, end: -1, line, elementLines: [], eventLines: [] };
    }
    if (expectValue && c !== 0x5d && c !== 0x2c) {
      if (depth === 1 && cur) cur.elementLines.push(line);
      else if (depth === 2 && eventsOpen && cur) cur.eventLines.push(line);
      expectValue = false;
    }
    switch (c) {
      case 0x22:
        inStr = true;
        strStart = i;
        break;
      case 0x3a: // ':'
        if (depth === 1) key = lastString;
        break;
      case 0x2c: // ','
        if ((depth === 1 && isArray[0]) || (depth === 2 && eventsOpen)) expectValue = true;
        break;
      case 0x7b:
      case 0x5b: {
        const arr = c === 0x5b;
        isArray[depth] = arr;
        depth++;
        if (depth === 1) expectValue = arr;
        else if (depth === 2) {
          eventsOpen = arr && !isArray[0] && (key === 'events' || key === 'logEvents');
          expectValue = eventsOpen;
        }
        break;
      }
      case 0x7d:
      case 0x5d:
        depth--;
        if (depth < 0) return { values, error: { line, start: i } };
        expectValue = false;
        if (depth === 1) eventsOpen = false;
        if (depth === 0 && cur) {
          cur.end = i + 1;
          values.push(cur);
          cur = null;
          key = '';
        }
        break;
      default:
        break;
    }
  }
  if (depth !== 0 || inStr) return { values, error: { line: cur?.line ?? line, start: cur?.start ?? text.length } };
  return { values };
}
