// Routes of the CinetPay hosted page (payment_url = /payment/<payment_token>): the page, the mobile-money
// steps (start, OTP, status polling) and the sandbox card outcome. Every state change goes through the
// core's use-cases (src/core/mobile-money.ts, src/rails/sandbox settleSandbox).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../core/deps.js';
import { cinetpayPaymentByCode, type CinetpayPaymentView } from '../core/cinetpay.js';
import { pollMobileMoney, startMobileMoneyPayment, submitMobileMoneyOtp } from '../core/mobile-money.js';
import { findMobileMoney } from '../store/mobile-money-repo.js';
import { findMerchant } from '../store/merchants-repo.js';
import { findLegacyOrder } from '../store/cinetpay-legacy-repo.js';
import { formatMinor } from '../domain/money.js';
import { isTenderError, TenderError } from '../domain/errors.js';
import { settleSandbox } from '../rails/sandbox/index.js';
import { COUNTRY_PREFIXES, MOBILE_MONEY_OPERATORS, operatorOf } from '../rails/mobile-money/index.js';
import {
  renderNotFound,
  renderPaymentPage,
  renderRefused,
  renderSuspended,
  type Lang,
  type PageView,
} from './mobile-money-page.js';
import { newNonce, pageHeaders } from './page-headers.js';
import { assertSameOrigin } from './same-origin.js';

const secure = (reply: FastifyReply) => pageHeaders(reply);

const langOf = (q: unknown, fallback: Lang): Lang => {
  const l = (q as { lang?: unknown } | undefined)?.lang;
  return l === 'fr' || l === 'en' ? l : fallback;
};
const offersMobileMoney = (ch: string[]) => ch.some((c) => c === 'ALL' || c === 'MOBILE_MONEY' || c === 'WALLET');
const offersCard = (ch: string[]) => ch.some((c) => c === 'ALL' || c === 'CREDIT_CARD');

type Step = PageView['step'];

async function stepOf(deps: Deps, v: CinetpayPaymentView): Promise<{ step: Step; failure?: string }> {
  const o = v.order;
  if (o.status === 14) return { step: 'paid' };
  if (o.status === 15) return o.remark === 'expired' ? { step: 'expired' } : { step: 'failed', failure: o.remark };
  if (o.status === 0) return { step: o.expiresAt <= deps.clock.now() ? 'expired' : 'choose' };
  const mm = await findMobileMoney(deps.db, o.id);
  if (mm && mm.state === 'confirming') return { step: mm.confirmation === 'otp' ? 'otp' : 'push' };
  return { step: 'processing' };
}

export async function mobileMoneyPlugin(app: FastifyInstance, opts: { deps: Deps }): Promise<void> {
  const { deps } = opts;

  // Every POST of this page changes the payment: only this server's own pages may send one.
  app.addHook('onRequest', async (req) => {
    if (req.method === 'POST') assertSameOrigin(req, deps.config.publicUrl);
  });

  app.setErrorHandler((e, req, reply) => {
    const lang = langOf(req.query, 'fr');
    if (isTenderError(e) && e.code === 'FORBIDDEN') return secure(reply).status(403).send(renderRefused(lang));
    if (isTenderError(e) && e.code === 'MERCHANT_SUSPENDED')
      return secure(reply).status(403).send(renderSuspended(lang));
    if (isTenderError(e) && e.code === 'ORDER_NOT_FOUND') return secure(reply).status(404).send(renderNotFound(lang));
    const status = (e as { statusCode?: number }).statusCode;
    if (isTenderError(e) || (typeof status === 'number' && status < 500))
      return secure(reply).status(400).send(renderNotFound(lang));
    req.log.error({ err: e }, 'cinetpay page failed');
    return secure(reply).status(500).send(renderNotFound(lang));
  });

  const render = async (reply: FastifyReply, code: string, lang: Lang | undefined, extra: Partial<PageView> = {}) => {
    let v = await cinetpayPaymentByCode(deps, code);
    if (v.order.status === 11) {
      await pollMobileMoney(deps, v.order.id);
      v = await cinetpayPaymentByCode(deps, code);
    }
    const merchant = (await findMerchant(deps.db, v.order.merchantId))!;
    // An open payment of a suspended merchant says so instead of offering to pay (issue 12).
    if (merchant.suspended_at && (v.order.status === 0 || v.order.status === 11))
      throw new TenderError('MERCHANT_SUSPENDED');
    const mm = await findMobileMoney(deps.db, v.order.id);
    const customerPhone = v.extra.customer.customer_phone_number;
    const legacy = await findLegacyOrder(deps.db, v.order.id);
    const view: PageView = {
      nonce: newNonce(),
      lang: lang ?? v.extra.lang,
      code: v.order.payCode,
      brand: merchant.brand,
      description: v.extra.description,
      amount: formatMinor(v.order.amount, deps.assets.ledger(v.order.currency).exponent),
      currency: v.order.currency,
      transactionId: v.extra.transaction_id,
      ...(await stepOf(deps, v)),
      mobileMoney: offersMobileMoney(v.extra.channels),
      card: offersCard(v.extra.channels),
      sandbox: deps.config.mode === 'sandbox',
      operators: MOBILE_MONEY_OPERATORS,
      prefixes: COUNTRY_PREFIXES,
      operatorName: mm ? operatorOf(mm.operator)?.name : undefined,
      phone: mm ? `${mm.phone_prefix} ${mm.phone}` : undefined,
      lockedPhone: v.extra.lock_phone_number && customerPhone ? customerPhone : undefined,
      returnUrl: v.extra.return_url,
      legacyReturn: legacy && {
        fields: { cpm_trans_id: v.extra.transaction_id, cpm_site_id: v.extra.site_id },
        cancelUrl: legacy.cancel_url,
      },
      ...extra,
    };
    // A legacy order's way back is a form post to the merchant (form-action must allow its origins).
    const formTargets = legacy ? [v.extra.return_url, legacy.cancel_url] : [];
    return pageHeaders(reply, { nonce: view.nonce, formTargets }).send(renderPaymentPage(view));
  };
  /** A new payment attempt on a suspended merchant's order is refused (one already under way may finish). */
  const assertMerchantTakesPayments = async (merchantId: string) => {
    if ((await findMerchant(deps.db, merchantId))?.suspended_at) throw new TenderError('MERCHANT_SUSPENDED');
  };
  const again = (reply: FastifyReply, code: string, lang: Lang, q = '') =>
    reply.redirect(`/payment/${encodeURIComponent(code)}?lang=${lang}${q}`, 303);
  const form = (b: unknown): Record<string, string> => {
    const o = (b && typeof b === 'object' ? b : {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  };

  app.get<{ Params: { code: string } }>('/payment/:code', async (req, reply) => {
    const q = req.query as { lang?: string; otp_left?: string; error?: string };
    const lang = q.lang === 'fr' || q.lang === 'en' ? q.lang : undefined;
    const extra: Partial<PageView> = {};
    if (q.otp_left && /^[0-9]$/.test(q.otp_left)) extra.otpAttemptsLeft = Number(q.otp_left);
    if (q.error === 'phone')
      extra.error =
        (lang ?? 'fr') === 'fr'
          ? 'Numéro de téléphone ou indicatif invalide.'
          : 'Invalid phone number or country code.';
    return render(reply, req.params.code, lang, extra);
  });

  app.get<{ Params: { code: string } }>('/payment/:code/status', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    let v = await cinetpayPaymentByCode(deps, req.params.code).catch(() => undefined);
    if (!v) return reply.status(404).send({ step: null });
    if (v.order.status === 11) {
      await pollMobileMoney(deps, v.order.id);
      v = await cinetpayPaymentByCode(deps, req.params.code);
    }
    return { status: v.order.status, ...(await stepOf(deps, v)) };
  });

  app.post<{ Params: { code: string } }>('/payment/:code/mobile-money', async (req, reply) => {
    const b = form(req.body);
    const v = await cinetpayPaymentByCode(deps, req.params.code);
    const lang = langOf(b, v.extra.lang);
    if (!offersMobileMoney(v.extra.channels))
      throw new TenderError('INVALID_PARAM', 'mobile money is not offered for this payment');
    await assertMerchantTakesPayments(v.order.merchantId);
    let phone = b.phone ?? '';
    const prefix = b.phone_prefix ?? '';
    if (v.extra.lock_phone_number && v.extra.customer.customer_phone_number) {
      phone = v.extra.customer.customer_phone_number.replace(/[^0-9]/g, '');
      if (phone.length > 10 && phone.startsWith(prefix)) phone = phone.slice(prefix.length);
    }
    if (v.order.status === 0) {
      try {
        await startMobileMoneyPayment(deps, v.order.id, { operator: b.operator ?? '', phonePrefix: prefix, phone });
      } catch (e) {
        if (isTenderError(e) && e.code === 'INVALID_PARAM') return again(reply, v.order.payCode, lang, '&error=phone');
        if (!(isTenderError(e) && (e.code === 'ILLEGAL_TRANSITION' || e.code === 'ORDER_EXPIRED'))) throw e;
      }
    }
    return again(reply, v.order.payCode, lang);
  });

  app.post<{ Params: { code: string } }>('/payment/:code/otp', async (req, reply) => {
    const b = form(req.body);
    const v = await cinetpayPaymentByCode(deps, req.params.code);
    const lang = langOf(b, v.extra.lang);
    if (v.order.status !== 11) return again(reply, v.order.payCode, lang);
    const r = await submitMobileMoneyOtp(deps, v.order.id, b.otp ?? '');
    return again(reply, v.order.payCode, lang, r.otpAttemptsLeft !== undefined ? `&otp_left=${r.otpAttemptsLeft}` : '');
  });

  app.post<{ Params: { code: string } }>('/payment/:code/card', async (req, reply) => {
    if (deps.config.mode !== 'sandbox') throw new TenderError('SANDBOX_ONLY');
    const b = form(req.body);
    const v = await cinetpayPaymentByCode(deps, req.params.code);
    const lang = langOf(b, v.extra.lang);
    if (!offersCard(v.extra.channels))
      throw new TenderError('INVALID_PARAM', 'card payment is not offered for this payment');
    if (b.outcome !== 'pay' && b.outcome !== 'fail')
      throw new TenderError('INVALID_PARAM', 'outcome must be pay or fail');
    await assertMerchantTakesPayments(v.order.merchantId);
    if (v.order.status === 0 && v.order.expiresAt > deps.clock.now()) {
      try {
        await settleSandbox(deps, v.order.id, b.outcome);
      } catch (e) {
        if (!(isTenderError(e) && e.code === 'ILLEGAL_TRANSITION')) throw e;
      }
    }
    return again(reply, v.order.payCode, lang);
  });
}
