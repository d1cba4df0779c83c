// Raw HTTP/1.1 over a socket, for what fetch cannot send: bad percent-encoding, NUL and invalid UTF-8 in
// the request target, huge headers, over-long URLs, trickled headers.
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `head` (request line and headers, without the blank line) and `body`; resolves on close. */
export function rawRequest(url: string, head: string, body = '', timeoutMs = 20_000): Promise<RawResponse> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer to ${head.slice(0, 60)}`));
    }, timeoutMs);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no HTTP answer to ${head.slice(0, 60)}: ${text.slice(0, 100)}`));
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(split + 4) });
    });
    const bytes = Buffer.from(body);
    const length = body || /^(POST|PUT|PATCH) /.test(head) ? `\r\ncontent-length: ${bytes.length}` : '';
    s.write(Buffer.concat([Buffer.from(`${head}${length}\r\nconnection: close\r\n\r\n`, 'latin1'), bytes]));
  });
}
