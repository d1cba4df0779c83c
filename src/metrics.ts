// Prometheus metrics served at /metrics.
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

export const httpRequests = new client.Counter({
  name: 'tender_http_requests_total',
  help: 'HTTP requests by route and status',
  labelNames: ['route', 'method', 'status'],
  registers: [registry],
});
export const httpDuration = new client.Histogram({
  name: 'tender_http_request_duration_seconds',
  help: 'HTTP request duration',
  labelNames: ['route'],
  registers: [registry],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});
export const webhookAttempts = new client.Counter({
  name: 'tender_webhook_attempts_total',
  help: 'Webhook delivery attempts by outcome',
  labelNames: ['outcome'],
  registers: [registry],
});
export const signatureRecipes = new client.Counter({
  name: 'tender_signature_recipe_total',
  help: 'Signed requests accepted, by the signature recipe they matched (text, all-params, php-empty)',
  labelNames: ['recipe'],
  registers: [registry],
});
