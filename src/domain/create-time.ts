// createTime as merchants' code sends it (shared/spec/README.md "createTime units"): milliseconds since the
// epoch (§16's text), seconds (seed 001's PHP demo: '1658387195') or yyyyMMddHHmmss in UTC (its Java demo:
// '20220726100218'). They are told apart by shape and magnitude, which cannot overlap for any time the
// replay window accepts: 14 digits starting 19 or 20 are a calendar time (as milliseconds that would be
// past the year 2286), up to 11 digits are seconds (as milliseconds, January 1970), anything else is ms.
import { TenderError } from './errors.js';

export type CreateTimeUnit = 'ms' | 's' | 'yyyyMMddHHmmss';

const CALENDAR = /^((?:19|20)[0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$/;
const RULE = 'createTime must be milliseconds or seconds since the epoch, or yyyyMMddHHmmss (UTC)';

/** The unit `text` is written in, or undefined when it is no createTime at all. */
export function createTimeUnit(text: string): CreateTimeUnit | undefined {
  if (!/^[0-9]{1,15}$/.test(text)) return undefined;
  if (CALENDAR.test(text)) return 'yyyyMMddHHmmss';
  return text.length <= 11 ? 's' : 'ms';
}

/** Milliseconds since the epoch of a createTime in any accepted unit; INVALID_PARAM otherwise. */
export function createTimeMs(text: string): number {
  const unit = createTimeUnit(text);
  if (unit === 'ms') return Number(text);
  if (unit === 's') return Number(text) * 1000;
  const m = unit ? CALENDAR.exec(text) : null;
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const t = Date.UTC(y, mo - 1, d, h, mi, s);
    // Date.UTC rolls 20220231 over into March: a field out of range is no time at all.
    const back = new Date(t);
    if (back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60) return t;
  }
  throw new TenderError('INVALID_PARAM', RULE);
}
