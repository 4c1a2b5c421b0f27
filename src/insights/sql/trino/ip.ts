/** Trino's forms in the IP functions' SQL (the functions themselves: ../ipFunctions.ts). */
import { ipFunctions } from '../ipFunctions.js';

/** An IPv6 address expanded to 32 lowercase hex digits (`::` filled with zero groups). */
function ipv6Hex(ip: string): string {
  const l = `split_part(lower(${ip}), '::', 1)`;
  const r = `coalesce(split_part(lower(${ip}), '::', 2), '')`;
  const groups = (side: string) =>
    `(CASE WHEN ${side} = '' THEN CAST(ARRAY[] AS ARRAY(VARCHAR)) ELSE split(${side}, ':') END)`;
  const all = `(CASE WHEN strpos(${ip}, '::') > 0 THEN concat(${groups(l)}, repeat('0', greatest(0, 8 - cardinality(${groups(l)}) - cardinality(${groups(r)}))), ${groups(r)}) ELSE split(lower(${ip}), ':') END)`;
  return `array_join(transform(${all}, __g -> lpad(__g, 4, '0')), '')`;
}

export const IP_FUNCTIONS = ipFunctions({
  ipv6Hex,
  power: (base, exp) => `power(${base}, ${exp})`,
  intDiv: (a, b) => `${a} / ${b}`,
  hexDigitShifted: (digit, bits) => `bitwise_right_shift(from_base(${digit}, 16), ${bits})`,
});
