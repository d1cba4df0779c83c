// Webhook endpoints with Fastify: CPay webhooks (both formats) and CinetPay notifications.
// Run alone: TENDER_SECURITY_KEY=... PORT=3000 node dist/fastify-webhook.js
import Fastify, { type FastifyInstance } from 'fastify';
import {
  verifyCpayWebhook,
  verifyCinetPayNotification,
  TenderWebhookError,
  type CpayWebhookEvent,
  type CinetPayClient,
} from '@tender/sdk';

export interface WebhookServerOptions {
  securityKey: string;
  /** Called once per verified webhook; throw to make Tender retry later. Deduplicate on orderId + orderStatus. */
  onEvent: (e: CpayWebhookEvent) => void | Promise<void>;
  /** CinetPay: the site's notification secret and a client to fetch the status with. */
  cinetpay?: {
    notifySecret: string;
    client: CinetPayClient;
    onStatus: (transactionId: string, status: string) => void | Promise<void>;
  };
}

export function buildWebhookServer(o: WebhookServerOptions): FastifyInstance {
  const app = Fastify();
  // The signature covers the fields as sent: keep the form body as raw text and let the SDK parse it.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );

  app.post('/webhooks/tender', async (req, reply) => {
    let event: CpayWebhookEvent;
    try {
      event = verifyCpayWebhook(req.body as string, o.securityKey);
    } catch (e) {
      if (e instanceof TenderWebhookError) {
        req.log.warn({ err: e.message }, 'rejected webhook');
        return reply.code(400).type('text/plain').send('fail');
      }
      throw e;
    }
    await o.onEvent(event);
    return reply.type('text/plain').send(event.answer); // 'success' (cpay) or 'OK' (cpay-legacy)
  });

  // CinetPay pings the URL with GET to check it is reachable.
  app.get('/webhooks/cinetpay', async (_req, reply) => reply.send('OK'));
  app.post('/webhooks/cinetpay', async (req, reply) => {
    if (!o.cinetpay) return reply.code(404).send();
    let n: ReturnType<typeof verifyCinetPayNotification>;
    try {
      n = verifyCinetPayNotification(req.body as string, req.headers, o.cinetpay.notifySecret);
    } catch (e) {
      if (e instanceof TenderWebhookError) return reply.code(400).send('invalid notification');
      throw e;
    }
    // The notification carries no status: ask for it.
    const check = await o.cinetpay.client.checkPayment({ transactionId: n.transactionId });
    await o.cinetpay.onStatus(n.transactionId, check.status);
    return reply.code(200).send('OK');
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = buildWebhookServer({
    securityKey: process.env.TENDER_SECURITY_KEY ?? '',
    onEvent: (e) =>
      console.log(
        `order ${e.orderId} (${e.merchantTradeNo}) is now ${e.orderStatus}, received ${e.receivedAmount} ${e.currency}`,
      ),
  });
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
}
