// The payment channels of the reference's country table (cpayapi-com/document country-region-currency.md,
// read in 2025: payChannel1-4), with its country names written as ISO 3166-1 alpha-2 codes. The country checked
// is the billing `country` the merchant sends (the acquirer knows the card's issuing country; Tender does not).
import type { CardBrand } from './acquirer.js';

export type PayChannel = 'payChannel1' | 'payChannel2' | 'payChannel3' | 'payChannel4';
export const PAY_CHANNELS: readonly PayChannel[] = ['payChannel1', 'payChannel2', 'payChannel3', 'payChannel4'];

const set = (text: string): ReadonlySet<string> => new Set(text.trim().split(/\s+/));

/** payChannel1, Mastercard: allowed countries only. */
const CH1_MASTER_ALLOWED = set(`AT AU BE BR BG HR CY CZ EE FI FR GR HU IE IT IN JP LV LI LT LU MY MT MX NL PL PT RO SG
  SK SI ZA ES SE TR UA GB`);
/** payChannel1, VISA: blocked countries ("Congo CG" = CG, "Congo CD" = CD, "Bostwana" = BW, "Erithrea" = ER). */
const CH1_VISA_BLOCKED = set(`AU AF AO DZ AG BO BA BW BD KH CU CG CD HR EC EG ER ET DE GM GH GY GW IL ID IR IQ CI JP KG
  LA LB LS LR LY MA MK MY ML NA NE NP KP NG OM PG QA SN SL SO SS SD SY LK SG TZ TG TT TR US UG VU YE ZW ZM`);
/** payChannel2 and payChannel4, both brands: blocked countries. */
const CH2_BLOCKED = set('DZ BD BO KH CN CO EC ID JO KG MN MA NP PK SA KR TW UZ VN');
/** payChannel3, both brands: allowed (Latin American) countries. */
const CH3_ALLOWED = set('AR BR BO CO CL CR DO EC SV GT HN MX NI PA PY PE UY');

export interface ChannelRule {
  channel: PayChannel;
  currencies: readonly string[];
  /** How the 3-D Secure step reaches the customer when the merchant does not choose (txMode). */
  challengeBy: 'pageData' | 'redirectURL';
  /** payChannel2 needs the customer's browser headers for 3-D Secure 2 (the reference's v1/v2 pages). */
  needsBrowserHeaders: boolean;
}

export const CHANNEL_RULES: Readonly<Record<PayChannel, ChannelRule>> = {
  payChannel1: {
    channel: 'payChannel1',
    currencies: ['EUR', 'USD'],
    challengeBy: 'pageData',
    needsBrowserHeaders: false,
  },
  payChannel2: {
    channel: 'payChannel2',
    currencies: ['EUR', 'USD'],
    challengeBy: 'pageData',
    needsBrowserHeaders: true,
  },
  payChannel3: {
    channel: 'payChannel3',
    currencies: ['BRL', 'USD'],
    challengeBy: 'pageData',
    needsBrowserHeaders: false,
  },
  payChannel4: {
    channel: 'payChannel4',
    currencies: ['EUR', 'USD'],
    challengeBy: 'redirectURL',
    needsBrowserHeaders: false,
  },
};

export const isPayChannel = (s: string): s is PayChannel => (PAY_CHANNELS as readonly string[]).includes(s);

/** Without payChannel: BRL goes to payChannel3 (the only BRL channel), EUR and USD to payChannel4. */
export function defaultChannel(currency: string): PayChannel {
  return currency === 'BRL' ? 'payChannel3' : 'payChannel4';
}

/** Whether `brand` cards billed in `country` (ISO alpha-2) may pay on `channel`. */
export function countryAllowed(channel: PayChannel, brand: CardBrand, country: string): boolean {
  switch (channel) {
    case 'payChannel1':
      return brand === 'MASTER' ? CH1_MASTER_ALLOWED.has(country) : !CH1_VISA_BLOCKED.has(country);
    case 'payChannel2':
    case 'payChannel4':
      return !CH2_BLOCKED.has(country);
    case 'payChannel3':
      return CH3_ALLOWED.has(country);
  }
}

/** Whether any card brand may pay from `country` on `channel` (the hosted page checks this before the card). */
export const countryOpen = (channel: PayChannel, country: string): boolean =>
  countryAllowed(channel, 'VISA', country) || countryAllowed(channel, 'MASTER', country);
