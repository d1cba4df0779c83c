// Who the audit log names for a request of the admin API: the admin token, from the client's address.
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../core/audit-log.js';

export const adminActor = (req: FastifyRequest): Actor => ({ kind: 'admin-token', address: req.ip });
