// submitKYC's `data` (seed 001 §11, shared/spec M6, docs/kyc.md): JSON text of up to 1000 user records, read
// and normalised here (pure). Both spellings the documents use are accepted (`brithday`/`birthday`,
// `IdCardUrls`/`idCardUrls`). A refusal names the record's index and the field, never the value: the records
// are personal data, and a refusal is an answer and a log line.
import { TenderError } from './errors.js';
import { isIsoCountry2 } from './iso-codes.js';

export const KYC_MAX_RECORDS = 1000;
/** URLs per list (idCardUrls, documentUrls): a few pictures or scans, not a gallery. */
export const KYC_MAX_URLS = 10;
const URL_MAX = 2048;

/** One user's KYC record, normalised: the form stored (sealed) and compared. */
export interface KycRecord {
  userId: string;
  firstName: string;
  middleName: string;
  lastName: string;
  /** YYYY-MM-DD */
  birthday: string;
  gender: 'male' | 'female';
  /** ISO 3166-1 alpha-2, upper case */
  country: string;
  /** country calling code, digits only (no "+") */
  iddCode: string;
  mobile: string;
  email: string;
  personalCode: string;
  certificateDateStart: string;
  certificateDateEnd: string;
  idCardUrls: string[];
  documentUrls: string[];
}

/** The field names a record may carry, each spelling mapped to the normalised name. */
const ALIASES: Record<string, keyof KycRecord> = { brithday: 'birthday', IdCardUrls: 'idCardUrls' };

const invalid = (index: number, field: string, why: string) =>
  new TenderError('KYC_RECORD_INVALID', `data[${index}].${field}: ${why}`);

/** Single-line text: no control characters (the edge's text rule allows TAB/LF/CR in JSON, fields may not). */
const SINGLE_LINE = /^[^\u0000-\u001f\u007f-\u009f]*$/u;
const USER_ID = /^[^\s&=]{1,64}$/u;
/** Names in any script: letters and marks, with the spaces, apostrophes, hyphens and dots names carry. */
const NAME = /^\p{L}[\p{L}\p{M} '’.-]*$/u;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const IDD = /^\+?([0-9]{1,4})$/;
const MOBILE = /^[0-9]{4,15}$/;
const PERSONAL_CODE = /^[\p{L}\p{N}][\p{L}\p{N} ./-]{0,63}$/u;
// A practical e-mail rule (as the Pix e-mail key's, src/domain/pix-key.ts): dot-atoms, a domain of LDH labels
// with an alphabetic top-level label.
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A real calendar date written YYYY-MM-DD, from 1900 on; returned as written. */
function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function isEmail(s: string): boolean {
  if (s.length > 254) return false;
  const at = s.lastIndexOf('@');
  if (at < 1 || at === s.length - 1) return false;
  const local = s.slice(0, at);
  const labels = s.slice(at + 1).split('.');
  return (
    local.length <= 64 &&
    LOCAL.test(local) &&
    labels.length >= 2 &&
    labels.every((l) => LABEL.test(l)) &&
    /^[a-z]{2,63}$/i.test(labels.at(-1)!)
  );
}

function isHttpUrl(s: string): boolean {
  if (s.length > URL_MAX || /\s/.test(s)) return false;
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Reads one record's fields as text: strings as sent, JSON integers as their digits (shared/spec wire rules). */
function fieldsOf(raw: unknown, index: number): Map<keyof KycRecord, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new TenderError('KYC_RECORD_INVALID', `data[${index}]: each record must be a JSON object`);
  const out = new Map<keyof KycRecord, unknown>();
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const field = ALIASES[name] ?? (name as keyof KycRecord);
    if (value === null || value === undefined) continue;
    if (out.has(field) && JSON.stringify(out.get(field)) !== JSON.stringify(value))
      throw invalid(index, field, `given twice (${name} and its other spelling) with different values`);
    out.set(field, value);
  }
  return out;
}

/**
 * Validates and normalises one record; `today` (YYYY-MM-DD, UTC) bounds the birthday. Required: userId, firstName,
 * lastName, birthday, gender, country, iddCode, mobile, email. Optional: middleName, personalCode, the two
 * certificate dates and the two URL lists. Other fields are ignored (not stored).
 */
export function parseKycRecord(raw: unknown, index: number, today: string): KycRecord {
  const f = fieldsOf(raw, index);
  const text = (field: keyof KycRecord, required: boolean, max: number): string => {
    const v = f.get(field);
    if (v === undefined || v === '') {
      if (required) throw invalid(index, field, 'is required');
      return '';
    }
    let s: string;
    if (typeof v === 'string') s = v.trim();
    else if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) s = String(v);
    else throw invalid(index, field, 'must be a string');
    if (s === '' && required) throw invalid(index, field, 'is required');
    if (s.length > max) throw invalid(index, field, `is longer than ${max} characters`);
    if (!SINGLE_LINE.test(s)) throw invalid(index, field, 'contains a control character');
    return s;
  };
  const name = (field: 'firstName' | 'middleName' | 'lastName', required: boolean): string => {
    const s = text(field, required, 64);
    if (s !== '' && !NAME.test(s))
      throw invalid(index, field, 'must be letters, with spaces, apostrophes, hyphens or dots between them');
    return s;
  };
  const date = (field: 'birthday' | 'certificateDateStart' | 'certificateDateEnd', required: boolean): string => {
    const s = text(field, required, 10);
    if (s !== '' && !isDate(s)) throw invalid(index, field, 'must be a real date written YYYY-MM-DD (1900 or later)');
    return s;
  };
  const urls = (field: 'idCardUrls' | 'documentUrls'): string[] => {
    const v = f.get(field);
    if (v === undefined || v === '') return [];
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list)) throw invalid(index, field, 'must be an array of URLs');
    if (list.length > KYC_MAX_URLS) throw invalid(index, field, `holds more than ${KYC_MAX_URLS} URLs`);
    return list.map((u, i) => {
      if (typeof u !== 'string' || !isHttpUrl(u.trim()))
        throw invalid(index, `${field}[${i}]`, `must be an http(s) URL of at most ${URL_MAX} characters`);
      return u.trim();
    });
  };

  const userId = text('userId', true, 64);
  if (!USER_ID.test(userId)) throw invalid(index, 'userId', 'must be 1-64 characters without spaces, & or =');
  const firstName = name('firstName', true);
  const middleName = name('middleName', false);
  const lastName = name('lastName', true);
  const birthday = date('birthday', true);
  if (birthday > today) throw invalid(index, 'birthday', 'is in the future');
  const gender = text('gender', true, 16).toLowerCase();
  if (gender !== 'male' && gender !== 'female') throw invalid(index, 'gender', 'must be male or female');
  const country = text('country', true, 8).toUpperCase();
  if (!isIsoCountry2(country)) throw invalid(index, 'country', 'must be an ISO 3166-1 alpha-2 code such as RU');
  const idd = IDD.exec(text('iddCode', true, 8));
  if (!idd || idd[1]!.startsWith('0'))
    throw invalid(index, 'iddCode', 'must be a country calling code of 1-4 digits, e.g. 7 or +55');
  // People type separators; the number is stored as digits, without the calling code (seed: "23452345").
  const mobile = text('mobile', true, 32).replace(/[\s().-]/g, '');
  if (!MOBILE.test(mobile)) throw invalid(index, 'mobile', 'must be 4-15 digits, without the calling code');
  if (idd[1]!.length + mobile.length > 15)
    throw invalid(index, 'mobile', 'with iddCode it is longer than the 15 digits of an international number');
  const email = text('email', true, 254);
  if (!isEmail(email)) throw invalid(index, 'email', 'is not a valid e-mail address');
  const personalCode = text('personalCode', false, 64);
  if (personalCode !== '' && !PERSONAL_CODE.test(personalCode))
    throw invalid(index, 'personalCode', 'must be 1-64 letters or digits, with spaces, dots, slashes or hyphens');
  const certificateDateStart = date('certificateDateStart', false);
  const certificateDateEnd = date('certificateDateEnd', false);
  if (certificateDateStart && certificateDateEnd && certificateDateEnd < certificateDateStart)
    throw invalid(index, 'certificateDateEnd', 'is before certificateDateStart');
  return {
    userId,
    firstName,
    middleName,
    lastName,
    birthday,
    gender,
    country,
    iddCode: idd[1]!,
    mobile,
    email,
    personalCode,
    certificateDateStart,
    certificateDateEnd,
    idCardUrls: urls('idCardUrls'),
    documentUrls: urls('documentUrls'),
  };
}

/**
 * `data` as sent (JSON text) → every record normalised, or the refusal of the whole call (all or nothing).
 * `today` is the server's date, YYYY-MM-DD (UTC).
 */
export function parseKycData(text: string, today: string): KycRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text: never pass it on.
    throw new TenderError('KYC_DATA_NOT_JSON');
  }
  if (!Array.isArray(parsed)) throw new TenderError('KYC_DATA_NOT_ARRAY');
  if (parsed.length === 0) throw new TenderError('KYC_NO_RECORDS');
  if (parsed.length > KYC_MAX_RECORDS)
    throw new TenderError(
      'KYC_TOO_MANY_RECORDS',
      `data holds ${parsed.length} records; at most ${KYC_MAX_RECORDS} are accepted per call`,
    );
  const seen = new Map<string, number>();
  return parsed.map((raw, i) => {
    const r = parseKycRecord(raw, i, today);
    const first = seen.get(r.userId);
    if (first !== undefined)
      throw new TenderError('KYC_DUPLICATE_USER_ID', `data[${i}].userId: the same userId as data[${first}]`);
    seen.set(r.userId, i);
    return r;
  });
}
