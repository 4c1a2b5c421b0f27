/** DuckDB's forms in the IP functions' SQL (the functions themselves: ../ipFunctions.ts). */
import { ipFunctions } from '../ipFunctions.js';

/** An IPv6 address expanded to 32 lowercase hex digits (`::` filled with zero groups). */
function ipv6Hex(ip: string): string {
  const l = `split_part(lower(${ip}), '::', 1)`;
  const r = `split_part(lower(${ip}), '::', 2)`;
  const nl = `(CASE WHEN ${l} = '' THEN 0 ELSE len(string_split(${l}, ':')) END)`;
  const nr = `(CASE WHEN ${r} = '' THEN 0 ELSE len(string_split(${r}, ':')) END)`;
  const full = `(CASE WHEN contains(${ip}, '::') THEN concat_ws(':', nullif(${l}, ''), nullif(rtrim(repeat('0:', CAST(8 - ${nl} - ${nr} AS BIGINT)), ':'), ''), nullif(${r}, '')) ELSE lower(${ip}) END)`;
  return `array_to_string(list_transform(string_split(${full}, ':'), g -> lpad(g, 4, '0')), '')`;
}

export const IP_FUNCTIONS = ipFunctions({
  ipv6Hex,
  power: (base, exp) => `pow(${base}, ${exp})`,
  intDiv: (a, b) => `${a} // ${b}`,
  hexDigitShifted: (digit, bits) => `(CAST(('0x' || ${digit}) AS INTEGER) >> ${bits})`,
});
