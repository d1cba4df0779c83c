// submitKYC (seed 001 §11, shared/spec M6): every record of a call sealed and upserted per (merchant, userId) in
// ONE transaction, all or nothing. hasKyc is what pwpp asks before an H2H payment (KYC_REQUIRED otherwise).
import type { Deps } from './deps.js';
import type { KycRecord } from '../domain/kyc-record.js';
import { inTx, type Tx } from '../store/db.js';
import { countKyc, findKycSealed, kycExists, upsertKycRecords } from '../store/kyc-repo.js';

/** The HMAC purpose of the record digest (deps.box.mac). */
export const KYC_MAC_PURPOSE = 'kyc-record';

/** The record's canonical text: fields in a fixed order (the KycRecord's), so equal records digest equally. */
const canonical = (r: KycRecord): string =>
  JSON.stringify([
    r.userId,
    r.firstName,
    r.middleName,
    r.lastName,
    r.birthday,
    r.gender,
    r.country,
    r.iddCode,
    r.mobile,
    r.email,
    r.personalCode,
    r.certificateDateStart,
    r.certificateDateEnd,
    r.idCardUrls,
    r.documentUrls,
  ]);

/** Stores every record (replacing what the merchant sent before for those users); returns how many. */
export async function submitKyc(deps: Deps, merchantId: string, records: KycRecord[]): Promise<number> {
  // Sealing is CPU work: done before the transaction so that it holds its row locks only for the statement.
  const rows = records.map((r) => ({
    userId: r.userId,
    sealed: deps.box.seal(JSON.stringify(r)),
    digest: deps.box.mac(KYC_MAC_PURPOSE, canonical(r)),
  }));
  const now = deps.clock.now();
  await inTx(deps.db, (tx) => upsertKycRecords(tx, merchantId, rows, now));
  return records.length;
}

/** Whether the merchant has a KYC record on file for this user (pwpp refuses H2H payments otherwise). */
export function hasKyc(q: Tx, merchantId: string | bigint, userId: string): Promise<boolean> {
  return kycExists(q, String(merchantId), userId);
}

/** The stored record, opened (operators' and tests' use; never sent in an API answer). */
export async function readKyc(deps: Deps, merchantId: string, userId: string): Promise<KycRecord | undefined> {
  const sealed = await findKycSealed(deps.db, merchantId, userId);
  return sealed === undefined ? undefined : (JSON.parse(deps.box.open(sealed).reveal()) as KycRecord);
}

/** How many users of the merchant have a KYC record on file. */
export function kycCount(deps: Deps, merchantId: string): Promise<number> {
  return countKyc(deps.db, merchantId);
}
