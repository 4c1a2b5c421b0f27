/** Trino SQL of the IP functions (the address facts are shared: ../ip.ts). */
import type { FunctionTable, Lower } from '../dialect.js';
import { IPV4_RE, IPV6_RE, PRIVATE_V4, RESERVED_V4, ipv4Bounds, ipv4Subnet, ipv6Prefix } from '../ip.js';
import { quoteString } from './text.js';

const FULL_V4 = `'\\A(?:${IPV4_RE})\\z'`;
const FULL_V6 = `'\\A(?:${IPV6_RE})\\z'`;

/** The address as a number, NULL when it is not a valid IPv4 address. */
function ipv4ToNumber(x: Lower, ipSql: string): string {
  return x.share(
    ipSql,
    (ip) =>
      `(CASE WHEN regexp_like(${ip}, ${FULL_V4}) THEN CAST(split_part(${ip}, '.', 1) AS BIGINT) * 16777216 + CAST(split_part(${ip}, '.', 2) AS BIGINT) * 65536 + CAST(split_part(${ip}, '.', 3) AS BIGINT) * 256 + CAST(split_part(${ip}, '.', 4) AS BIGINT) END)`,
  );
}

function inRanges(x: Lower, numExpr: string, ranges: readonly [string, number][]): string {
  return x.share(
    numExpr,
    (v) =>
      '(' +
      ipv4Bounds(ranges)
        .map(([lo, hi]) => `${v} BETWEEN ${lo} AND ${hi}`)
        .join(' OR ') +
      ')',
  );
}

/** An IPv6 address expanded to 32 lowercase hex digits (`::` filled with zero groups). */
function ipv6Hex(ip: string): string {
  const l = `split_part(lower(${ip}), '::', 1)`;
  const r = `coalesce(split_part(lower(${ip}), '::', 2), '')`;
  const groups = (side: string) =>
    `(CASE WHEN ${side} = '' THEN CAST(ARRAY[] AS ARRAY(VARCHAR)) ELSE split(${side}, ':') END)`;
  const all = `(CASE WHEN strpos(${ip}, '::') > 0 THEN concat(${groups(l)}, repeat('0', greatest(0, 8 - cardinality(${groups(l)}) - cardinality(${groups(r)}))), ${groups(r)}) ELSE split(lower(${ip}), ':') END)`;
  return `array_join(transform(${all}, __g -> lpad(__g, 4, '0')), '')`;
}

export const IP_FUNCTIONS: Pick<
  FunctionTable,
  | 'isvalidip'
  | 'isvalidipv4'
  | 'isvalidipv6'
  | 'ipv4tonumber'
  | 'isipinsubnet'
  | 'isipv4insubnet'
  | 'isipv6insubnet'
  | 'isprivateip'
  | 'isreservedip'
  | 'ispublicip'
> = {
  isvalidip: (c) => `coalesce(regexp_like(${c.s(0)}, ${FULL_V4}) OR regexp_like(${c.s(0)}, ${FULL_V6}), FALSE)`,
  isvalidipv4: (c) => `coalesce(regexp_like(${c.s(0)}, ${FULL_V4}), FALSE)`,
  isvalidipv6: (c) => `coalesce(regexp_like(${c.s(0)}, ${FULL_V6}), FALSE)`,
  ipv4tonumber: (c) => ipv4ToNumber(c.x, c.s(0)),
  // isIpInSubnet takes either family; a literal IPv6 subnet makes it isIpv6InSubnet.
  isipinsubnet: (c) => {
    const net = c.args[1];
    if (net.k === 'lit' && typeof net.value === 'string' && net.value.includes(':'))
      return c.x.call({ ...c.e, fn: 'isipv6insubnet' });
    return IP_FUNCTIONS.isipv4insubnet(c);
  },
  isipv4insubnet: (c) => {
    const ip = ipv4ToNumber(c.x, c.s(0));
    const net = c.args[1];
    const bounds = net.k === 'lit' && typeof net.value === 'string' ? ipv4Subnet(net.value) : undefined;
    if (bounds) return `coalesce(${ip} BETWEEN ${bounds[0]} AND ${bounds[1]}, FALSE)`;
    const size = `CAST(power(2, 32 - TRY_CAST(split_part(${c.s(1)}, '/', 2) AS INTEGER)) AS BIGINT)`;
    return `coalesce(${ip} / ${size} = ${ipv4ToNumber(c.x, `split_part(${c.s(1)}, '/', 1)`)} / ${size}, FALSE)`;
  },
  isipv6insubnet: (c) => {
    const a = c.args[1];
    const net = a.k === 'lit' && typeof a.value === 'string' ? ipv6Prefix(a.value) : undefined;
    if (!net) return 'FALSE';
    const hex = ipv6Hex(c.s(0));
    const whole = Math.floor(net.bits / 4);
    const conds = [`regexp_like(${c.s(0)}, ${FULL_V6})`];
    if (whole > 0) conds.push(`substr(${hex}, 1, ${whole}) = ${quoteString(net.hex.slice(0, whole))}`);
    const rest = net.bits % 4;
    if (rest) {
      const want = parseInt(net.hex[whole], 16) >> (4 - rest);
      conds.push(`bitwise_right_shift(from_base(substr(${hex}, ${whole + 1}, 1), 16), ${4 - rest}) = ${want}`);
    }
    return `coalesce(${conds.join(' AND ')}, FALSE)`;
  },
  isprivateip: (c) => `coalesce(${inRanges(c.x, ipv4ToNumber(c.x, c.s(0)), PRIVATE_V4)}, FALSE)`,
  isreservedip: (c) => `coalesce(${inRanges(c.x, ipv4ToNumber(c.x, c.s(0)), RESERVED_V4)}, FALSE)`,
  ispublicip: (c) =>
    `coalesce(${ipv4ToNumber(c.x, c.s(0))} IS NOT NULL AND NOT ${inRanges(c.x, ipv4ToNumber(c.x, c.s(0)), RESERVED_V4)}, FALSE)`,
};
