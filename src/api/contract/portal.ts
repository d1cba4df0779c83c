// The merchant portal and the operator console (issue 12) as a contract: server-rendered HTML pages and
// form posts. Pages name their statuses and content type only; a form post answers 303 (to the next page)
// or the page again with why it was refused. Every page may answer 303 to its login page.
import { Type, type TSchema } from '@sinclair/typebox';
import type { Answer, DialectContract, RouteContract } from './types.js';
import { PORTAL_PAYMENTS_ROUTES } from '../../web/portal/payments-contract.js';

const FORM = 'application/x-www-form-urlencoded';
const html = (description: string): Answer => ({ description, contentType: 'text/html' });
const seeOther: Answer = { description: 'See Other: the next page, or the login page when not logged in' };
const Csrf = { _csrf: Type.String({ description: 'the CSRF token of the page the form is on' }) };
const formBody = (fields: Record<string, TSchema> = {}) => ({ [FORM]: Type.Object({ ...Csrf, ...fields }) });

const get = (route: string, summary: string): RouteContract => ({
  method: 'GET',
  route,
  path: route,
  summary,
  answers: { '200': html('the page'), '303': seeOther },
});

const post = (
  route: string,
  summary: string,
  fields: Record<string, TSchema> = {},
  more: Record<string, Answer> = {},
): RouteContract => ({
  method: 'POST',
  route,
  path: route,
  summary,
  body: formBody(fields),
  answers: { '303': seeOther, ...more },
});

const Password = Type.String({ description: 'the account password' });
const again = html('the page again, saying why');

/** Login, two-step verification, logout and the account pages: the same in the portal and the console. */
function accountArea(base: string, account: string): RouteContract[] {
  return [
    get(`${base}/login`, 'Login page'),
    post(
      `${base}/login`,
      'Log in (username and password); rate-limited per address, locked per account after failures',
      { username: Type.String(), password: Password },
      { '401': html('wrong username or password, or the account is locked'), '429': html('too many attempts') },
    ),
    get(`${base}/login/totp`, 'Two-step verification step of the login'),
    post(
      `${base}/login/totp`,
      'The TOTP code or a recovery code',
      { code: Type.String({ description: '6 digits, or a recovery code xxxx-xxxx-xxxx' }) },
      { '401': html('wrong code, or the account is locked'), '429': html('too many attempts') },
    ),
    post(`${base}/logout`, 'Log out (this browser)'),
    post(`${account}/sessions/logout-all`, 'Log out everywhere (every session of the account)'),
    get(`${account}/password`, 'Change Password (forced after the one-time password)'),
    post(
      `${account}/password`,
      'Change the password; every other session of the account ends',
      {
        current: Type.Optional(Type.String({ description: 'absent in the forced change after login' })),
        next: Type.String({ minLength: 12 }),
        confirm: Type.String(),
      },
      { '400': again },
    ),
    get(`${account}/totp`, 'Two-step verification settings'),
    post(`${account}/totp/start`, 'Start TOTP enrolment (a new secret, shown as a QR code)'),
    post(
      `${account}/totp/confirm`,
      'Confirm TOTP with a first code; answers the recovery codes once',
      { code: Type.String() },
      { '200': html('TOTP is on: the recovery codes, shown once'), '400': again },
    ),
    post(
      `${account}/totp/disable`,
      'Turn TOTP off (password again)',
      { password: Password },
      { '200': html('TOTP is off'), '401': again },
    ),
  ];
}

export const portalContract: DialectContract = {
  name: 'portal',
  title: 'Tender: merchant portal and operator console',
  description:
    'Server-rendered pages for merchants (/login, /, /user-center...) and operators (/console/...). Sessions ' +
    'are cookies (HttpOnly, SameSite=Strict, Secure over https); every form carries a CSRF token (_csrf).',
  routes: [
    ...(['css', 'js'] as const).map(
      (ext): RouteContract => ({
        method: 'GET',
        route: `/assets/:name.${ext}`,
        path: `/assets/{name}.${ext}`,
        summary: ext === 'css' ? 'Stylesheet of the pages' : 'Scripts of the pages (progressive enhancement only)',
        params: Type.Object({ name: Type.String() }),
        answers: {
          '200': { description: 'the file', contentType: ext === 'css' ? 'text/css' : 'text/javascript' },
          '404': { description: 'no such file', contentType: 'text/plain' },
        },
      }),
    ),
    ...accountArea('', '/user-center'),
    get('/', 'Dashboard'),
    ...PORTAL_PAYMENTS_ROUTES,
    get('/user-center', 'User Center: Basic Information (Merchant ID, API host, mode, Security Key hidden)'),
    get('/user-center/basic', 'Old address of Basic Information'),
    post(
      '/user-center/security-key/reveal',
      'Show the Security Key (password again)',
      { password: Password },
      { '200': html('the page with the key'), '401': again },
    ),
    post(
      '/user-center/security-key/rotate',
      'A new Security Key; the previous one stops working at once (password again)',
      { password: Password },
      { '200': html('the page with the new key'), '401': again },
    ),
    get('/dev/api', 'API secret (seed 003 Step 0): the merchant secret, hidden, and how to call start_payment'),
    post(
      '/dev/api/reveal',
      'Show the merchant secret (password again)',
      { password: Password },
      {
        '200': html('the page with the secret'),
        '401': again,
        '409': html('issued before it could be shown again: rotate it to see one'),
      },
    ),
    post(
      '/dev/api/rotate',
      'A new merchant secret; the previous one is refused at once (password again)',
      { password: Password },
      { '200': html('the page with the new secret'), '401': again },
    ),
    get('/integrations', '« Intégrations » (seed 002): SITEID of each CinetPay site, APIKEY and secret hidden'),
    post(
      '/integrations/reveal',
      'Show the APIKEY and notification secret of every site (password again)',
      { password: Password },
      { '200': html('the page with the credentials'), '401': again },
    ),
    post(
      '/integrations/rotate',
      "A new APIKEY and notification secret for one of the merchant's sites; the old APIKEY is refused at once",
      { password: Password, site_id: Type.String({ description: 'one of the merchant’s SITEIDs' }) },
      { '200': html('the page with the new credentials'), '401': again, '404': html('not a site of this merchant') },
    ),
    ...accountArea('/console', '/console/account'),
    get('/console', 'Console (redirects to /console/)'),
    get('/console/', 'Console home'),
    get('/console/account', 'My account (username, role, sessions)'),
  ],
  common: {
    '400': html('the request could not be read'),
    '403': html('refused: a form without a valid CSRF token, or a support operator changing something'),
    '404': html('not found'),
    '413': html('request body too large'),
    '414': html('a path segment too long'),
    '415': html('unsupported content type'),
    '429': html('too many attempts'),
    '500': html('internal error'),
    '503': html('the database is briefly unreachable'),
  },
};
