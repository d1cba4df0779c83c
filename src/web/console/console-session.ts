// The operator session the console pages read (shared contract of issue 12, p12-common.md). H3's
// src/web/portal/session-types.ts defines the same interface and request decoration; this file stands in
// for it until both branches meet, then should re-export from there.
export interface OperatorSession {
  operatorId: string;
  role: 'admin' | 'support';
  csrf: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    operatorSession?: OperatorSession;
  }
}
