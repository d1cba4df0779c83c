// The shape of a dialect's contract: its routes, what each accepts and every answer it can give, per HTTP
// status. The OpenAPI documents, the docs pages and the test suite's response check all read this one model.
import type { TSchema } from '@sinclair/typebox';

/** One answer of a route at one HTTP status. No `schema`: the body is judged by its content type only. */
export interface Answer {
  description: string;
  /** Media type without parameters; undefined means "no body" (redirects). */
  contentType?: string;
  schema?: TSchema;
}

export interface RouteContract {
  method: 'GET' | 'POST' | 'PATCH';
  /** The route as Fastify registers it (`/admin/merchants/:id`, `/watch/*`). */
  route: string;
  /** The same path in OpenAPI style (`/admin/merchants/{id}`). */
  path: string;
  summary: string;
  description?: string;
  params?: TSchema;
  query?: TSchema;
  /** Request body by media type. */
  body?: Record<string, TSchema>;
  /** Answers of this route by status (`'200'`, `'404'`); the dialect's common answers are added to them. */
  answers: Record<string, Answer>;
  /** Who may call it (names of the dialect's security schemes). */
  security?: string[];
}

export interface DialectContract {
  /** Short name: the document is served at /openapi/<name>.json and written to docs/api-<name>.md. */
  name: string;
  title: string;
  description: string;
  routes: RouteContract[];
  /** Answers any route of the dialect can give (refusals about HTTP itself, outages), and unknown paths. */
  common: Record<string, Answer>;
  securitySchemes?: Record<string, unknown>;
}
