// A leak planted through the suite's real recording path, for test/leak-scan.test.ts (run as a child process with
// its own TENDER_TEST_RECORD_DIR): the not-found answer repeats the request path, so a card number in the path
// reaches a recorded answer and the recorded request log line.
import { startTestEnv } from './harness.js';

const env = await startTestEnv();
await fetch(`${env.url}/openapi/v1/no-such-route-${process.argv[2] ?? ''}`);
await env.close();
