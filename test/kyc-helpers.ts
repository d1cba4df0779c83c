// What the KYC tests and the bench share: valid records with distinctive personal values (the leak scan,
// test/fixtures/forbidden-values.ts KYC_PERSONAL_VALUES, looks for their fixed parts in everything the suite
// produced: keep the two in step) and signed submitKYC calls.
import { signParams } from '../src/domain/signature.js';
import type { MerchantCredentials } from '../src/core/merchants.js';

/** One valid record in the seed's spelling (brithday, IdCardUrls); `i` makes each user's values distinct. */
export function kycRecord(i: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const n = String(i).padStart(4, '0');
  // Names are letters only: the digits of i written as letters.
  const letters = n.replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]!);
  return {
    userId: `kyc-user-${n}`,
    firstName: 'Zephyrine',
    middleName: '',
    lastName: `Quobblewick${letters}`,
    brithday: '1961-07-23',
    gender: 'female',
    country: 'RU',
    iddCode: '7',
    personalCode: `QZX7731${n}`,
    certificateDateStart: '2008-01-01',
    certificateDateEnd: '2038-01-01',
    IdCardUrls: [`https://kyc-docs.example/zq${n}/passport.jpg`],
    documentUrls: [`https://kyc-docs.example/zq${n}/proof.pdf`],
    email: `zephyrine.q${n}@kyc-mail.example`,
    mobile: `9173028465${n}`,
    ...over,
  };
}

/** The same record in the doc's spelling (birthday, idCardUrls). */
export function kycRecordDocSpelling(i: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const { brithday, IdCardUrls, ...rest } = kycRecord(i);
  return { ...rest, birthday: brithday, idCardUrls: IdCardUrls, ...over };
}

export const kycRecords = (count: number, from = 0) => Array.from({ length: count }, (_, i) => kycRecord(from + i));

/** A submitKYC form body: `data` is JSON text, signed as that text. */
export function kycForm(m: MerchantCredentials, data: string, extra: Record<string, string> = {}) {
  const p = { merchantId: String(m.merchantId), data, ...extra };
  return new URLSearchParams({ ...p, sign: signParams(p, m.securityKey) }).toString();
}

/**
 * A submitKYC JSON body with `data` as the array itself. The signature covers `data` as the raw JSON text sent,
 * so the body is written by hand around that text.
 */
export function kycJsonBody(m: MerchantCredentials, dataText: string, extra: Record<string, string> = {}): string {
  const p = { merchantId: String(m.merchantId), data: dataText, ...extra };
  const sign = signParams(p, m.securityKey);
  const others = Object.entries({ merchantId: String(m.merchantId), ...extra, sign })
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(',');
  return `{${others},"data":${dataText}}`;
}

export async function submitKycRaw(
  baseUrl: string,
  body: string,
  type: 'form' | 'json',
  query = '',
): Promise<{ status: number; text: string; body: any }> {
  const res = await fetch(`${baseUrl}/openapi/v1/submitKYC${query}`, {
    method: 'POST',
    headers: { 'content-type': type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json' },
    body,
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, text, body: parsed };
}
