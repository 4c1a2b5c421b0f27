import { isUtf8 } from 'node:buffer';

/**
 * The longest line read into memory. A Bedrock record is at most a few hundred KB as delivered
 * (bodies over 100 KB are offloaded to S3); a longer line is rejected without being assembled,
 * so that one runaway line (a file without line ends, a base64 blob) costs neither memory nor time.
 */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

export type Line = { ln: number; text: string } | { ln: number; reject: string };

/**
 * Splits a byte stream into lines, as `push(chunk)` then `end()` yield them:
 * - line ends are LF, CRLF, or CR alone (old Mac files), decided at the first line end;
 * - a UTF-8 byte order mark is dropped at the start of any line (files joined with `cat`);
 * - blank lines are skipped (they still count in line numbers); spaces and tabs around are cut;
 * - a line that is not valid UTF-8 is rejected (decoding would replace the bad bytes with U+FFFD
 *   silently: a damaged key such as `accou\xffntId` would quietly drop the account);
 * - a line longer than MAX_LINE_BYTES is rejected, and not assembled.
 * A line spread over many chunks is kept as its pieces and joined once, at its end: joining at
 * every chunk made a 50 MB line cost minutes (campaign F9).
 */
export class LineSplitter {
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  private ln = 0;
  /** The line-end byte: LF (CRLF included) or CR; undefined until the first line end. */
  private eol: 0x0a | 0x0d | undefined;
  /** The previous chunk ended with the first CR: the next byte tells CRLF from CR alone. */
  private crAtEnd = false;

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {}

  /** The lines completed by this chunk. */
  *push(buf: Buffer): Generator<Line> {
    if (buf.length === 0) return;
    if (this.eol === undefined) {
      const afterCr = this.crAtEnd;
      const eol = afterCr ? (buf[0] === 0x0a ? 0x0a : 0x0d) : lineEnd(buf);
      this.crAtEnd = eol === undefined && buf[buf.length - 1] === 0x0d;
      if (eol === undefined) {
        this.keep(buf);
        return;
      }
      this.eol = eol;
      if (afterCr && eol === 0x0d) {
        // That CR, kept with the line's pieces, ended the line.
        const last = this.pieces.length - 1;
        if (last >= 0) this.pieces[last] = this.pieces[last].subarray(0, this.pieces[last].length - 1);
        this.pieceBytes--;
        const line = this.take(buf, 0, 0);
        if (line) yield line;
      }
    }
    const eol = this.eol;
    let s = 0;
    for (let i = buf.indexOf(eol, s); i !== -1; i = buf.indexOf(eol, s)) {
      const line = this.take(buf, s, i);
      if (line) yield line;
      s = i + 1;
    }
    if (s < buf.length) this.keep(s === 0 ? buf : buf.subarray(s));
  }

  /** The last line, when the stream does not end with a line end. */
  *end(): Generator<Line> {
    if (this.pieceBytes === 0 && this.pieces.length === 0) return;
    const line = this.take(Buffer.alloc(0), 0, 0);
    if (line) yield line;
  }

  /** Lines seen so far (blank ones included). */
  get lines(): number {
    return this.ln;
  }

  private keep(piece: Buffer): void {
    this.pieceBytes += piece.length;
    // Past the cap only the count is kept: the line is rejected whatever follows.
    if (this.pieceBytes <= this.maxLineBytes) this.pieces.push(piece);
    else this.pieces = [];
  }

  private take(buf: Buffer, s: number, e: number): Line | null {
    if (this.eol === undefined && this.crAtEnd) {
      // The stream ended right after its first CR: a one-line file with a CR end.
      this.eol = 0x0d;
      const last = this.pieces.length - 1;
      if (last >= 0) this.pieces[last] = this.pieces[last].subarray(0, this.pieces[last].length - 1);
      this.pieceBytes--;
    }
    this.ln++;
    const total = this.pieceBytes + (e - s);
    let line: Buffer;
    if (total > this.maxLineBytes) {
      this.pieces = [];
      this.pieceBytes = 0;
      return {
        ln: this.ln,
        reject: `line is ${mb(total)}, longer than the ${mb(this.maxLineBytes)} a line may have (not read)`,
      };
    }
    if (this.pieces.length > 0) {
      this.pieces.push(buf.subarray(s, e));
      line = Buffer.concat(this.pieces, total);
      this.pieces = [];
      this.pieceBytes = 0;
      s = 0;
      e = line.length;
    } else line = buf;
    if (this.eol === 0x0a && e > s && line[e - 1] === 0x0d) e--; // CRLF
    while (s < e && (line[s] === 0x20 || line[s] === 0x09)) s++;
    while (e > s && (line[e - 1] === 0x20 || line[e - 1] === 0x09)) e--;
    if (e - s >= 3 && line[s] === 0xef && line[s + 1] === 0xbb && line[s + 2] === 0xbf) s += 3; // BOM
    if (e === s) return null;
    const text = line.toString('utf8', s, e);
    // A real U+FFFD is valid UTF-8 too: only then is the (native, fast) check needed.
    if (text.includes('\uFFFD') && !isUtf8(line.subarray(s, e))) {
      return {
        ln: this.ln,
        reject: `not valid UTF-8 (convert the file to UTF-8; a damaged byte would change the record)`,
      };
    }
    return { ln: this.ln, text };
  }
}

/** LF (also for CRLF) or CR alone, from the first line end in `b`; undefined when it cannot tell yet. */
function lineEnd(b: Buffer): 0x0a | 0x0d | undefined {
  const lf = b.indexOf(0x0a);
  const cr = b.indexOf(0x0d);
  if (cr === -1 || (lf !== -1 && lf < cr)) return lf === -1 ? undefined : 0x0a;
  if (cr + 1 >= b.length) return undefined; // CR at the end: CRLF or CR alone, the next byte tells
  return b[cr + 1] === 0x0a ? 0x0a : 0x0d;
}

export function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
