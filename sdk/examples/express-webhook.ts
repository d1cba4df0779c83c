// The same CPay webhook endpoint for Express. Written against the few members of Express' request and
// response it uses (so this file type-checks without installing express); with Express:
//
//   import express from 'express';
//   const app = express();
//   app.post('/webhooks/tender', express.text({ type: 'application/x-www-form-urlencoded' }),
//            cpayWebhookHandler(process.env.TENDER_SECURITY_KEY!, async (e) => { /* update the order */ }));
//
// `express.text` keeps the raw body (a string), which is what the signature covers.
import { verifyCpayWebhook, TenderWebhookError, type CpayWebhookEvent } from '@tender/sdk';

export interface RequestLike {
  body: unknown;
}
export interface ResponseLike {
  status(code: number): ResponseLike;
  type(t: string): ResponseLike;
  send(body: string): unknown;
}

export function cpayWebhookHandler(securityKey: string, onEvent: (e: CpayWebhookEvent) => void | Promise<void>) {
  return async (req: RequestLike, res: ResponseLike, next?: (err: unknown) => void): Promise<void> => {
    try {
      if (typeof req.body !== 'string') {
        res.status(415).type('text/plain').send('fail');
        return;
      }
      const event = verifyCpayWebhook(req.body, securityKey);
      await onEvent(event);
      res.status(200).type('text/plain').send(event.answer);
    } catch (e) {
      if (e instanceof TenderWebhookError) {
        res.status(400).type('text/plain').send('fail');
        return;
      }
      if (next) next(e);
      else res.status(500).type('text/plain').send('fail');
    }
  };
}
