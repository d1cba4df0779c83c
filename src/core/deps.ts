// What every use-case receives: the database, time, ids, secrets and settings. Tests build their own.
import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import type { Clock, Ids } from '../domain/clock.js';
import type { SecretBox } from '../domain/secret-box.js';
import type { AssetTable } from '../domain/assets.js';
import type { Config } from '../config.js';

export interface Deps {
  db: Db;
  clock: Clock;
  ids: Ids;
  box: SecretBox;
  /**
   * The card vault's own key (TENDER_CARD_VAULT_KEY or card-vault.key; never the master key): seals stored card
   * numbers (src/core/card-vault.ts). Absent where a caller built Deps without it: card storage is then refused.
   */
  vault?: SecretBox;
  assets: AssetTable;
  config: Config;
  log: Logger;
}
