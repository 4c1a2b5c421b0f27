/**
 * A small seeded PRNG (sfc32, seeded through cyrb128) and the distributions the generator draws
 * from. Math.random is never used: the same seed must give byte-identical data on every machine.
 */

/** cyrb128: four 32-bit seeds from a string, so any seed text gives a well-mixed state. */
function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703,
    h2 = 3144134277,
    h3 = 1013904242,
    h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

const HEX = '0123456789abcdef';

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string | number) {
    [this.a, this.b, this.c, this.d] = cyrb128(String(seed));
    // Discard the first outputs: sfc32 needs a few rounds to mix a fresh state.
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  /** A derived, independent stream (for example file names), so that drawing from it never shifts the record stream. */
  fork(label: string): Prng {
    return new Prng(`${this.nextU32()}:${label}`);
  }

  nextU32(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Index drawn with probability weights[i] / sum(weights). */
  weightedIndex(weights: readonly number[], total?: number): number {
    const sum = total ?? weights.reduce((s, w) => s + w, 0);
    let r = this.next() * sum;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal (Box-Muller; one value per call keeps the stream simple to reason about). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Lognormal with the given median and log-space sigma, rounded, clamped to [min, max]. */
  lognormalInt(median: number, sigma: number, min: number, max: number): number {
    const x = Math.round(median * Math.exp(sigma * this.normal()));
    return x < min ? min : x > max ? max : x;
  }

  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += HEX[this.nextU32() & 15];
    return s;
  }

  /** A version-4 UUID whose bits come from this stream. */
  uuid(): string {
    const h = this.hex(32);
    const variant = HEX[8 + (this.nextU32() & 3)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/**
 * Sorted uniform draws, one at a time: the i-th order statistic of k uniforms in [0, 1) given the
 * previous one. This places k events in an hour in time order without holding them in memory.
 */
export class SortedUniforms {
  private prev = 0;
  private left: number;
  constructor(
    private readonly rng: Prng,
    k: number,
  ) {
    this.left = k;
  }
  next(): number {
    if (this.left <= 0) return this.prev;
    // The minimum of `left` uniforms on [prev, 1) is prev + (1 - prev) * (1 - V^(1/left)).
    const v = 1 - this.rng.next();
    this.prev = this.prev + (1 - this.prev) * (1 - Math.pow(v, 1 / this.left));
    this.left--;
    return this.prev;
  }
}

/**
 * Split `total` into `n` positive integer parts that follow `weights`, summing exactly to `total`
 * (largest remainder). Needs total >= n.
 */
export function splitInteger(total: number, weights: readonly number[]): number[] {
  const n = weights.length;
  if (n === 0) return [];
  if (total < n) throw new RangeError(`cannot split ${total} into ${n} positive parts`);
  const rest = total - n;
  const sum = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (rest * w) / sum);
  const parts = exact.map((x) => 1 + Math.floor(x));
  let short = total - parts.reduce((s, p) => s + p, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((p, q) => q[0] - p[0] || p[1] - q[1]);
  for (let j = 0; short > 0; j = (j + 1) % n, short--) parts[order[j][1]]++;
  return parts;
}
