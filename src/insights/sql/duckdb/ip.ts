/** DuckDB SQL of the IP functions (the address facts are shared: ../ip.ts). */
import type { FunctionTable, Lower } from '../dialect.js';
import { IPV4_RE, IPV6_RE, PRIVATE_V4, RESERVED_V4, ipv4Bounds, ipv4Subnet, ipv6Prefix } from '../ip.js';
import { quoteString } from './text.js';

/** The address as a number, NULL when it is not a valid IPv4 address. */
function ipv4ToNumber(x: Lower, ipSql: string): string {
  return x.share(
    ipSql,
    (ip) =>
      `(CASE WHEN regexp_full_match(${ip}, '${IPV4_RE}') THEN CAST(split_part(${ip}, '.', 1) AS BIGINT) * 16777216 + CAST(split_part(${ip}, '.', 2) AS BIGINT) * 65536 + CAST(split_part(${ip}, '.', 3) AS BIGINT) * 256 + CAST(split_part(${ip}, '.', 4) AS BIGINT) END)`,
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
  const r = `split_part(lower(${ip}), '::', 2)`;
  const nl = `(CASE WHEN ${l} = '' THEN 0 ELSE len(string_split(${l}, ':')) END)`;
  const nr = `(CASE WHEN ${r} = '' THEN 0 ELSE len(string_split(${r}, ':')) END)`;
  const full = `(CASE WHEN contains(${ip}, '::') THEN concat_ws(':', nullif(${l}, ''), nullif(rtrim(repeat('0:', CAST(8 - ${nl} - ${nr} AS BIGINT)), ':'), ''), nullif(${r}, '')) ELSE lower(${ip}) END)`;
  return `array_to_string(list_transform(string_split(${full}, ':'), g -> lpad(g, 4, '0')), '')`;
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
  isvalidip: (c) =>
    `coalesce(regexp_full_match(${c.s(0)}, '${IPV4_RE}') OR regexp_full_match(${c.s(0)}, '${IPV6_RE}'), FALSE)`,
  isvalidipv4: (c) => `coalesce(regexp_full_match(${c.s(0)}, '${IPV4_RE}'), FALSE)`,
  isvalidipv6: (c) => `coalesce(regexp_full_match(${c.s(0)}, '${IPV6_RE}'), FALSE)`,
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
    const size = `CAST(pow(2, 32 - TRY_CAST(split_part(${c.s(1)}, '/', 2) AS INTEGER)) AS BIGINT)`;
    return `coalesce(${ip} // ${size} = ${ipv4ToNumber(c.x, `split_part(${c.s(1)}, '/', 1)`)} // ${size}, FALSE)`;
  },
  isipv6insubnet: (c) => {
    const a = c.args[1];
    const net = a.k === 'lit' && typeof a.value === 'string' ? ipv6Prefix(a.value) : undefined;
    if (!net) return 'FALSE';
    const hex = ipv6Hex(c.s(0));
    const whole = Math.floor(net.bits / 4);
    const conds = [`regexp_full_match(${c.s(0)}, '${IPV6_RE}')`];
    if (whole > 0) conds.push(`substr(${hex}, 1, ${whole}) = ${quoteString(net.hex.slice(0, whole))}`);
    const rest = net.bits % 4;
    if (rest) {
      const want = parseInt(net.hex[whole], 16) >> (4 - rest);
      conds.push(`(CAST(('0x' || substr(${hex}, ${whole + 1}, 1)) AS INTEGER) >> ${4 - rest}) = ${want}`);
    }
    return `coalesce(${conds.join(' AND ')}, FALSE)`;
  },
  isprivateip: (c) => `coalesce(${inRanges(c.x, ipv4ToNumber(c.x, c.s(0)), PRIVATE_V4)}, FALSE)`,
  isreservedip: (c) => `coalesce(${inRanges(c.x, ipv4ToNumber(c.x, c.s(0)), RESERVED_V4)}, FALSE)`,
  ispublicip: (c) =>
    `coalesce(${ipv4ToNumber(c.x, c.s(0))} IS NOT NULL AND NOT ${inRanges(c.x, ipv4ToNumber(c.x, c.s(0)), RESERVED_V4)}, FALSE)`,
};
