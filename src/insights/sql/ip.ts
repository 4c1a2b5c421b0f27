/**
 * IP address facts every dialect shares (TypeScript side): the RE2 patterns of valid addresses,
 * the special-purpose IPv4 ranges, and the parsing of literal addresses and subnets (done here
 * once, so the SQL compares numbers or fixed prefixes).
 */

export const IPV4_RE =
  '((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
export const IPV6_RE =
  '(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|:((:[0-9a-fA-F]{1,4}){1,7}|:)|([0-9a-fA-F]{1,4}:){1,6}(:[0-9a-fA-F]{1,4}){1}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:(:[0-9a-fA-F]{1,4}){1,6})';

/** IANA special-purpose IPv4 ranges (RFC 6890 and successors): [network, prefix bits]. */
export const RESERVED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
/** RFC 1918. */
export const PRIVATE_V4: readonly [string, number][] = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
];

export function ipv4Number(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** [first, last] address numbers of each range. */
export function ipv4Bounds(ranges: readonly [string, number][]): [number, number][] {
  return ranges.map(([ip, bits]) => {
    const lo = ipv4Number(ip);
    return [lo, lo + 2 ** (32 - bits) - 1];
  });
}

/** A literal IPv4 subnet `a.b.c.d/n` as its [first, last] address numbers; undefined when it is not one. */
export function ipv4Subnet(cidr: string): [number, number] | undefined {
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(cidr)) return undefined;
  const [net, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const lo = Math.floor(ipv4Number(net) / size) * size;
  return [lo, lo + size - 1];
}

/** Expand an IPv6 address to 32 lowercase hex digits. */
export function ipv6Hex(ip: string): string | undefined {
  const parts = ip.toLowerCase().split('::');
  if (parts.length > 2) return undefined;
  const left = parts[0] ? parts[0].split(':') : [];
  const right = parts.length === 2 && parts[1] ? parts[1].split(':') : [];
  const fill = parts.length === 2 ? 8 - left.length - right.length : 0;
  const groups = [...left, ...Array<string>(Math.max(0, fill)).fill('0'), ...right];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => g.padStart(4, '0')).join('');
}

/** A literal IPv6 subnet as its 32 hex digits and prefix length. */
export function ipv6Prefix(cidr: string): { hex: string; bits: number } | undefined {
  const [ip, bitsText] = cidr.split('/');
  const hex = ipv6Hex(ip ?? '');
  const bits = Number(bitsText ?? '128');
  if (!hex || !Number.isInteger(bits) || bits < 0 || bits > 128) return undefined;
  return { hex, bits };
}
