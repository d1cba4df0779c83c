// « Intégrations » (seed 002 Prérequis: "Cliquer ensuite sur le menu « Intégrations » ; vous y trouverez votre
// APIKEY et votre SITEID"): per CinetPay site its SITEID, APIKEY and notification secret (the x-token key of
// shared/spec/cinetpay.md). The page speaks French with the seed's words, as the CinetPay merchants it serves
// read them; the frame around it stays the portal's. Secrets show only after the password is entered again;
// an apikey issued before migration 018 exists only as a digest ("renouvelez-la pour la voir"). Renewing a
// site replaces its APIKEY and notification secret together: the old APIKEY is refused at once.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../core/deps.js';
import { rotateCinetpayCredentials } from '../../core/cinetpay-sites.js';
import { revealCinetpayCredentials } from '../../core/console-secrets.js';
import { LOCKOUT, reauthenticate } from '../../core/portal-auth.js';
import { sitesOfMerchant } from '../../store/cinetpay-repo.js';
import { esc } from '../html.js';
import { type Area, renderPage, sendPage } from './area.js';
import { bodyField, notice, passwordAgain } from './forms.js';

export const INTEGRATIONS_PATH = '/integrations';

interface SiteView {
  siteId: string;
  /** undefined: hidden; null: digest only (issued before migration 018). */
  apikey?: string | null;
  notifySecret?: string;
  /** The apikey exists only as a digest: it can be renewed, not shown. */
  digestOnly: boolean;
}

interface Shown {
  sites?: SiteView[];
  message?: string;
  /** The site just renewed. */
  renewed?: string;
}

/** A DOM id from a site id (site ids are digits today; anything else is kept out of the attribute). */
const domId = (siteId: string) => siteId.replace(/[^A-Za-z0-9_-]/g, '_');

const HIDDEN = '<span class="hidden-secret">Masquée : saisissez votre mot de passe pour l’afficher.</span>';

const wrongPassword = (locked: boolean) =>
  locked
    ? `Trop d’essais manqués : ce compte est bloqué ${LOCKOUT.minutes} minutes. Réessayez plus tard.`
    : 'Mot de passe incorrect : les identifiants restent masqués.';

/** How the three values are used: initialisation, verification, notifications (seed 002 a, c, d). */
function usage(host: string): string {
  const init =
    `curl -X POST '${host}/v2/payment' -H 'content-type: application/json' -d '{\n` +
    '  "apikey": "VOTRE_APIKEY", "site_id": "VOTRE_SITEID", "transaction_id": "CMD-1001",\n' +
    '  "amount": 1000, "currency": "XOF", "description": "Commande 1001", "channels": "ALL",\n' +
    '  "notify_url": "https://votre-site.example/notify", "return_url": "https://votre-site.example/retour"}\'';
  return (
    '<section aria-labelledby="use-h"><h2 id="use-h">Utilisation</h2><ol class="steps">' +
    `<li><p><strong>Initialisation de paiement</strong> : <code>POST ${esc(host)}/v2/payment</code> avec votre ` +
    'APIKEY et votre SITEID. La réponse (code <code>201</code>) donne <code>payment_url</code>, où envoyer le ' +
    'client, et <code>payment_token</code>, à sauvegarder dans votre base de données.</p>' +
    `<pre class="example" id="init-example"><code>${esc(init)}</code></pre></li>` +
    '<li><p><strong>Notification</strong> : votre <code>notify_url</code> reçoit un POST avec ' +
    '<code>cpm_trans_id</code> et <code>cpm_site_id</code>, et l’en-tête <code>x-token</code> : un HMAC-SHA256 ' +
    'calculé avec votre secret de notification. Elle peut arriver plusieurs fois.</p></li>' +
    `<li><p><strong>Vérification de transaction</strong> : <code>POST ${esc(host)}/v2/payment/check</code> avec ` +
    'APIKEY, SITEID et <code>transaction_id</code> (ou <code>token</code>) : seule cette réponse donne le vrai ' +
    'statut du paiement (<code>00</code> SUCCES).</p></li>' +
    '</ol><p>L’historique de vos paiements est dans <a href="/payments">Payments</a>.</p></section>'
  );
}

export function integrationsRoutes(app: FastifyInstance, deps: Deps, area: Area): void {
  const page = async (req: FastifyRequest, reply: FastifyReply, status: number, shown: Shown) => {
    const s = req.merchantSession!;
    const stored = await sitesOfMerchant(deps.db, s.merchantId);
    const sites: SiteView[] =
      shown.sites ?? stored.map((r) => ({ siteId: r.site_id, digestOnly: r.apikey_sealed === null }));
    const anySealed = sites.some((x) => !x.digestOnly);
    const value = (v: string | null | undefined, id: string, digestOnly: boolean) =>
      v
        ? `<code class="secret" id="${id}">${esc(v)}</code>`
        : digestOnly
          ? `<span class="hidden-secret" id="${id}-not-sealed">Émise avant de pouvoir être réaffichée : elle ` +
            'fonctionne toujours ; renouvelez-la pour en voir une nouvelle.</span>'
          : HIDDEN;
    const cards = sites
      .map((x) => {
        const d = domId(x.siteId);
        const renewed =
          shown.renewed === x.siteId
            ? notice('ok', 'Nouveaux identifiants : l’ancienne APIKEY et l’ancien secret ne fonctionnent plus.')
            : '';
        return (
          `<section class="site" aria-labelledby="site-${d}-h"><h2 id="site-${d}-h">Site ${esc(x.siteId)}</h2>` +
          renewed +
          '<dl class="facts">' +
          `<div class="row"><dt>SITEID</dt><dd><code id="siteid-${d}">${esc(x.siteId)}</code></dd></div>` +
          `<div class="row"><dt>APIKEY</dt><dd>${value(x.apikey, `apikey-${d}`, x.digestOnly)}</dd></div>` +
          '<div class="row"><dt>Secret de notification <span class="hint">(clé de l’en-tête x-token)</span></dt>' +
          `<dd>${value(x.notifySecret, `notify-secret-${d}`, false)}` +
          '</dd></div></dl>' +
          `<form method="post" action="${INTEGRATIONS_PATH}/rotate" class="stack danger">` +
          `<input type="hidden" name="_csrf" value="${esc(s.csrf)}">` +
          `<input type="hidden" name="site_id" value="${esc(x.siteId)}">` +
          passwordAgain(`f-rotate-password-${d}`, 'Votre mot de passe') +
          '<p class="hint">L’APIKEY et le secret de notification de ce site sont remplacés ' +
          'aussitôt : l’ancienne APIKEY est refusée dès la requête suivante. ' +
          'Mettez vos serveurs à jour juste après.</p>' +
          `<button type="submit">Renouveler l’APIKEY du site ${esc(x.siteId)}</button></form>` +
          '</section>'
        );
      })
      .join('');
    const reveal = anySealed
      ? `<form method="post" action="${INTEGRATIONS_PATH}/reveal" class="stack">` +
        `<input type="hidden" name="_csrf" value="${esc(s.csrf)}">` +
        passwordAgain('f-reveal-password', 'Votre mot de passe') +
        '<button type="submit">Afficher les identifiants</button></form>'
      : '';
    const body =
      '<div lang="fr">' +
      (shown.message ?? '') +
      '<p>Vos identifiants CinetPay : l’<strong>APIKEY</strong> et le <strong>SITEID</strong> de chaque site, ' +
      'et son secret de notification. Gardez l’APIKEY et le secret sur votre serveur : ils permettent d’agir ' +
      'en votre nom.</p>' +
      `<p>Hôte de l’API : <code id="api-host">${esc(deps.config.publicUrl)}</code></p>` +
      reveal +
      (sites.length ? cards : notice('info', 'Aucun site CinetPay pour ce compte.')) +
      usage(deps.config.publicUrl) +
      '</div>';
    return sendPage(reply, status, renderPage(area, req, 'Intégrations', body, 'integrations'));
  };

  const recheck = async (req: FastifyRequest): Promise<string | undefined> => {
    const typed = bodyField(req.body, 'password') ?? '';
    const r = await reauthenticate(deps, 'merchant', req.merchantSession!.merchantId, typed);
    return r === 'ok' ? undefined : notice('error', wrongPassword(r === 'locked'));
  };

  app.get(INTEGRATIONS_PATH, async (req, reply) => page(req, reply, 200, {}));

  app.post(`${INTEGRATIONS_PATH}/reveal`, async (req, reply) => {
    const refused = await recheck(req);
    if (refused) return page(req, reply, 401, { message: refused });
    const id = req.merchantSession!.merchantId;
    const sites = (await revealCinetpayCredentials(deps, id)).map((x) => ({
      siteId: x.siteId,
      apikey: x.apikey ? x.apikey.reveal() : null,
      notifySecret: x.notifySecret.reveal(),
      digestOnly: x.apikey === null,
    }));
    req.log.info({ merchantId: id, sites: sites.length }, 'cinetpay credentials shown in the portal');
    return page(req, reply, 200, { sites });
  });

  app.post(`${INTEGRATIONS_PATH}/rotate`, async (req, reply) => {
    const refused = await recheck(req);
    if (refused) return page(req, reply, 401, { message: refused });
    const id = req.merchantSession!.merchantId;
    const siteId = (bodyField(req.body, 'site_id') ?? '').trim();
    // Only a site of the logged-in merchant: another merchant's site_id is refused and nothing changes.
    const mine = await sitesOfMerchant(deps.db, id);
    if (!mine.some((x) => x.site_id === siteId))
      return page(req, reply, 404, { message: notice('error', 'Ce site n’est pas un de vos sites.') });
    const r = await rotateCinetpayCredentials(deps, id, siteId);
    const sites: SiteView[] = mine.map((x) =>
      x.site_id === r.siteId
        ? { siteId: x.site_id, apikey: r.apikey, notifySecret: r.notifySecret, digestOnly: false }
        : { siteId: x.site_id, digestOnly: x.apikey_sealed === null },
    );
    return page(req, reply, 200, { sites, renewed: r.siteId });
  });
}
