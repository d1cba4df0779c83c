// The operator session the console pages read: the shared contract of src/web/portal/session-types.ts.
export type { OperatorSession } from '../portal/session-types.js';
