// Reads the webhook settings form into a settings patch, with a message a merchant can act on for every
// refusal. The core (updateSettings) checks again; these checks only make the messages precise.
import { TenderError } from '../../domain/errors.js';
import type { MerchantSettingsPatch } from '../../store/merchants-repo.js';

export const MAX_URL_LENGTH = 2048;
export const MAX_HOSTS = 50;

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters. */
const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export interface SettingsForm {
  callbackUrl: string;
  webhookFormat: string;
  allowedHosts: string;
}

const field = (body: Record<string, unknown>, name: string): string => {
  const v = body[name];
  if (v === undefined) return '';
  if (typeof v !== 'string') throw new TenderError('INVALID_PARAM', `${name} must be given once`);
  return v;
};

export function readSettingsForm(body: unknown): SettingsForm {
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  return {
    callbackUrl: field(b, 'callbackUrl'),
    webhookFormat: field(b, 'webhookFormat'),
    allowedHosts: field(b, 'allowedHosts'),
  };
}

function callbackUrlOf(text: string): string | null {
  const s = text.trim();
  if (s === '') return null;
  if (s.length > MAX_URL_LENGTH)
    throw new TenderError('INVALID_PARAM', `callback URL is longer than ${MAX_URL_LENGTH} characters`);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new TenderError(
      'INVALID_PARAM',
      'callback URL is not a URL: write it in full, e.g. https://shop.example/hook',
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new TenderError('INVALID_PARAM', 'callback URL must start with https:// or http://');
  // Credentials in the URL would be shown on this page and in every test report.
  if (u.username || u.password)
    throw new TenderError('INVALID_PARAM', 'callback URL must not contain a user name or password');
  if (u.hash) throw new TenderError('INVALID_PARAM', 'callback URL must not contain a #fragment');
  return s;
}

function hostsOf(text: string): string[] {
  const hosts = [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (hosts.length > MAX_HOSTS) throw new TenderError('INVALID_PARAM', `at most ${MAX_HOSTS} redirect hosts`);
  for (const h of hosts)
    if (!HOST.test(h))
      throw new TenderError(
        'INVALID_PARAM',
        `"${h.slice(0, 80)}" is not a host name: ` +
          'write only the host, e.g. shop.example.com, without https:// or a path',
      );
  return hosts;
}

/** The patch to save; throws INVALID_PARAM with a precise message, before anything is written. */
export function settingsPatch(f: SettingsForm): MerchantSettingsPatch {
  if (f.webhookFormat !== 'cpay' && f.webhookFormat !== 'cpay-legacy')
    throw new TenderError('INVALID_PARAM', 'choose the webhook format: cpay or cpay-legacy');
  return {
    callbackUrl: callbackUrlOf(f.callbackUrl),
    webhookFormat: f.webhookFormat,
    allowedHosts: hostsOf(f.allowedHosts),
  };
}
