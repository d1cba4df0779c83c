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
  assets: AssetTable;
  config: Config;
  log: Logger;
}
