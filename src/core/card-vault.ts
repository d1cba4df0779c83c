// The card vault (issue 13): stored cards (storeCc=1 → ccStorageID) sealed with the vault's OWN key (deps.vault,
// TENDER_CARD_VAULT_KEY or card-vault.key), never with the master key that seals merchant secrets, so a leak of
// one key opens only its own kind of secret. Only BIN and last four are kept in clear; no CVV is ever stored.
//
// `openVaultedCard` is the only way back to a number, and only src/core/card-payments.ts (the code that sends
// cards to the acquirer) calls it: test/card-vault.test.ts checks that no other file imports it.
import type pg from 'pg';
import type { Deps } from './deps.js';
import type { SecretBox } from '../domain/secret-box.js';
import { CardNumber } from '../domain/card-number.js';
import { TenderError } from '../domain/errors.js';
import type { CardBrand, CardDetails } from '../rails/card/acquirer.js';
import { findVaultCard, insertVaultCard } from '../store/card-repo.js';

const MAC_PURPOSE = 'card-vault-pan';

function vaultBox(deps: Deps): SecretBox {
  if (!deps.vault) throw new TenderError('CARD_STORAGE_DISABLED', 'card storage is not configured on this server');
  return deps.vault;
}

/** Stores the card for (merchant, user) once; answers its ccStorageID. In the caller's transaction. */
export async function vaultCardInTx(
  tx: pg.PoolClient,
  deps: Deps,
  owner: { merchantId: string; userId: string },
  card: CardDetails,
  brand: CardBrand,
): Promise<string> {
  const box = vaultBox(deps);
  const pan = card.number.reveal();
  return insertVaultCard(
    tx,
    {
      id: `cc_${deps.ids.token(18)}`,
      merchant_id: owner.merchantId,
      user_id: owner.userId,
      pan_sealed: box.seal(pan),
      pan_mac: box.mac(MAC_PURPOSE, pan),
      bin: pan.slice(0, 6),
      last4: pan.slice(-4),
      brand,
      exp_month: card.expMonth,
      exp_year: card.expYear,
    },
    deps.clock.now(),
  );
}

export interface VaultedCard {
  card: CardDetails;
  brand: CardBrand;
}

/** The stored card `id` of (merchant, user), opened for the acquirer; undefined when it is not theirs. */
export async function openVaultedCard(
  deps: Deps,
  owner: { merchantId: string; userId: string },
  id: string,
  holder: string,
): Promise<VaultedCard | undefined> {
  const row = await findVaultCard(deps.db, owner.merchantId, owner.userId, id);
  if (!row) return undefined;
  const number = CardNumber.parse(vaultBox(deps).open(row.pan_sealed).reveal());
  return { card: { number, expMonth: row.exp_month, expYear: row.exp_year, holder }, brand: row.brand };
}

/** BIN and last four of a stored card, for display and checks (no number leaves the vault here). */
export async function vaultedCardFacts(
  deps: Deps,
  owner: { merchantId: string; userId: string },
  id: string,
): Promise<{ bin: string; last4: string; brand: CardBrand; expMonth: number; expYear: number } | undefined> {
  const row = await findVaultCard(deps.db, owner.merchantId, owner.userId, id);
  return row && { bin: row.bin, last4: row.last4, brand: row.brand, expMonth: row.exp_month, expYear: row.exp_year };
}
