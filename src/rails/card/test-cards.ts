// The sandbox acquirer's documented test cards (docs/cards.md "Test cards"). Any other Luhn-valid VISA or
// Mastercard number is approved without a challenge, like the first rows. Every number here is a public test
// number; none is a real card.
import type { DeclineReason } from './acquirer.js';

export type CardScenario =
  | { kind: 'approve' }
  | { kind: 'challenge' }
  | { kind: 'decline'; reason: DeclineReason }
  | { kind: 'timeout' };

export interface TestCard {
  number: string;
  brand: 'VISA' | 'MASTER';
  scenario: CardScenario;
  description: string;
}

export const TEST_CARDS: readonly TestCard[] = [
  { number: '4242424242424242', brand: 'VISA', scenario: { kind: 'approve' }, description: 'approved, frictionless' },
  { number: '5555555555554444', brand: 'MASTER', scenario: { kind: 'approve' }, description: 'approved, frictionless' },
  { number: '2223003122003222', brand: 'MASTER', scenario: { kind: 'approve' }, description: 'approved (2-series)' },
  {
    number: '4000000000003220',
    brand: 'VISA',
    scenario: { kind: 'challenge' },
    description: '3-D Secure challenge: code 1234 passes, anything else fails',
  },
  {
    number: '5200000000001096',
    brand: 'MASTER',
    scenario: { kind: 'challenge' },
    description: '3-D Secure challenge: code 1234 passes, anything else fails',
  },
  {
    number: '4000000000009995',
    brand: 'VISA',
    scenario: { kind: 'decline', reason: 'insufficient_funds' },
    description: 'declined: insufficient funds',
  },
  {
    number: '4000000000009979',
    brand: 'VISA',
    scenario: { kind: 'decline', reason: 'stolen_card' },
    description: 'declined: stolen card',
  },
  {
    number: '4000000000000069',
    brand: 'VISA',
    scenario: { kind: 'decline', reason: 'expired_card' },
    description: 'declined: expired card (whatever expiry date is sent)',
  },
  {
    number: '4000000000000127',
    brand: 'VISA',
    scenario: { kind: 'decline', reason: 'do_not_honour' },
    description: 'declined: do not honour',
  },
  {
    number: '4000000000000119',
    brand: 'VISA',
    scenario: { kind: 'timeout' },
    description: 'the acquirer never answers (timeout); nothing is authorised',
  },
];

/** The one-time code the sandbox ACS page accepts. */
export const SANDBOX_ACS_CODE = '1234';

export function scenarioOf(digits: string): CardScenario {
  return TEST_CARDS.find((c) => c.number === digits)?.scenario ?? { kind: 'approve' };
}
