/**
 * The SQL of the IP functions, one piece for every dialect: built from the dialect's primitives
 * (full regex match, string literals, the shared address facts of ./ip.ts) and the few engine
 * forms an `IpSql` gives (IPv6 expansion, power, integer division, a hex digit's bits). Before,
 * the DuckDB and Trino dialects each held a copy of the same logic.
 */
import type { FunctionTable, Lower } from './dialect.js';
import { IPV4_RE, IPV6_RE, PRIVATE_V4, RESERVED_V4, ipv4Bounds, ipv4Subnet, ipv6Prefix } from './ip.js';

/** What differs between engines in the IP functions' SQL. */
export interface IpSql {
  /** An IPv6 address expanded to 32 lowercase hex digits (`::` filled with zero groups). */
  ipv6Hex(ip: string): string;
  /** `base` to the power `exp` (DOUBLE). */
  power(base: string, exp: string): string;
  /** Integer division of two BIGINTs. */
  intDiv(a: string, b: string): string;
  /** The value of the hex digit `digit` (one character of text) shifted right by `bits` bits. */
  hexDigitShifted(digit: string, bits: number): string;
}

export type IpFunctionName =
  | 'isvalidip'
  | 'isvalidipv4'
  | 'isvalidipv6'
  | 'ipv4tonumber'
  | 'isipinsubnet'
  | 'isipv4insubnet'
  | 'isipv6insubnet'
  | 'isprivateip'
  | 'isreservedip'
  | 'ispublicip';

function isV4(x: Lower, ip: string): string {
  return x.dialect.regexFullMatch(ip, `'${IPV4_RE}'`);
}
function isV6(x: Lower, ip: string): string {
  return x.dialect.regexFullMatch(ip, `'${IPV6_RE}'`);
}

/** The address as a number, NULL when it is not a valid IPv4 address. */
function ipv4ToNumber(x: Lower, ipSql: string): string {
  return x.share(
    ipSql,
    (ip) =>
      `(CASE WHEN ${isV4(x, ip)} THEN CAST(split_part(${ip}, '.', 1) AS BIGINT) * 16777216 + CAST(split_part(${ip}, '.', 2) AS BIGINT) * 65536 + CAST(split_part(${ip}, '.', 3) AS BIGINT) * 256 + CAST(split_part(${ip}, '.', 4) AS BIGINT) END)`,
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

export function ipFunctions(sql: IpSql): Pick<FunctionTable, IpFunctionName> {
  const table: Pick<FunctionTable, IpFunctionName> = {
    isvalidip: (c) => `coalesce(${isV4(c.x, c.s(0))} OR ${isV6(c.x, c.s(0))}, FALSE)`,
    isvalidipv4: (c) => `coalesce(${isV4(c.x, c.s(0))}, FALSE)`,
    isvalidipv6: (c) => `coalesce(${isV6(c.x, c.s(0))}, FALSE)`,
    ipv4tonumber: (c) => ipv4ToNumber(c.x, c.s(0)),
    // isIpInSubnet takes either family; a literal IPv6 subnet makes it isIpv6InSubnet.
    isipinsubnet: (c) => {
      const net = c.args[1];
      if (net.k === 'lit' && typeof net.value === 'string' && net.value.includes(':'))
        return c.x.call({ ...c.e, fn: 'isipv6insubnet' });
      return table.isipv4insubnet(c);
    },
    isipv4insubnet: (c) => {
      const ip = ipv4ToNumber(c.x, c.s(0));
      const net = c.args[1];
      const bounds = net.k === 'lit' && typeof net.value === 'string' ? ipv4Subnet(net.value) : undefined;
      if (bounds) return `coalesce(${ip} BETWEEN ${bounds[0]} AND ${bounds[1]}, FALSE)`;
      const size = `CAST(${sql.power('2', `32 - TRY_CAST(split_part(${c.s(1)}, '/', 2) AS INTEGER)`)} AS BIGINT)`;
      const netNumber = ipv4ToNumber(c.x, `split_part(${c.s(1)}, '/', 1)`);
      return `coalesce(${sql.intDiv(ip, size)} = ${sql.intDiv(netNumber, size)}, FALSE)`;
    },
    isipv6insubnet: (c) => {
      const a = c.args[1];
      const net = a.k === 'lit' && typeof a.value === 'string' ? ipv6Prefix(a.value) : undefined;
      if (!net) return 'FALSE';
      const hex = sql.ipv6Hex(c.s(0));
      const whole = Math.floor(net.bits / 4);
      const conds = [isV6(c.x, c.s(0))];
      if (whole > 0) conds.push(`substr(${hex}, 1, ${whole}) = ${c.x.dialect.string(net.hex.slice(0, whole))}`);
      const rest = net.bits % 4;
      if (rest) {
        const want = parseInt(net.hex[whole], 16) >> (4 - rest);
        conds.push(`${sql.hexDigitShifted(`substr(${hex}, ${whole + 1}, 1)`, 4 - rest)} = ${want}`);
      }
      return `coalesce(${conds.join(' AND ')}, FALSE)`;
    },
    isprivateip: (c) => `coalesce(${inRanges(c.x, ipv4ToNumber(c.x, c.s(0)), PRIVATE_V4)}, FALSE)`,
    isreservedip: (c) => `coalesce(${inRanges(c.x, ipv4ToNumber(c.x, c.s(0)), RESERVED_V4)}, FALSE)`,
    ispublicip: (c) =>
      `coalesce(${ipv4ToNumber(c.x, c.s(0))} IS NOT NULL AND NOT ${inRanges(c.x, ipv4ToNumber(c.x, c.s(0)), RESERVED_V4)}, FALSE)`,
  };
  return table;
}
