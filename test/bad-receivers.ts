// Webhook receivers that misbehave the way real ones do: one that never answers, one that streams an
// endless body, one that counts how many requests it holds at the same time.
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';

export interface BadReceiver {
  url: string;
  /** Requests (or connections, for `hanging`) seen so far. */
  seen(): number;
  close(): Promise<void>;
}

/** Accepts TCP connections and never writes a byte back; records the most connections open at once. */
export async function hanging(): Promise<BadReceiver & { maxOpen(): number }> {
  const sockets = new Set<Socket>();
  let seen = 0;
  let maxOpen = 0;
  const server = createNetServer((s) => {
    seen++;
    sockets.add(s);
    maxOpen = Math.max(maxOpen, sockets.size);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.resume(); // read and drop the request
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    seen: () => seen,
    maxOpen: () => maxOpen,
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}

/** Answers 200 with `bytes` of body, written as fast as the client reads it (backpressure respected). */
export async function hugeBody(bytes: number): Promise<BadReceiver & { bytesSent(): number }> {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let seen = 0;
  let sent = 0;
  const pump = (res: ServerResponse, left: number) => {
    while (left > 0 && !res.destroyed) {
      const n = Math.min(left, chunk.length);
      left -= n;
      sent += n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        res.once('drain', () => pump(res, left));
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  const server = createHttpServer((req, res) => {
    seen++;
    req.resume();
    req.on('end', () => {
      res.on('error', () => {});
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(bytes) });
      pump(res, bytes);
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    seen: () => seen,
    bytesSent: () => sent,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}

/** Holds each request `holdMs`, then answers `answer`; records the most requests held at once. */
export async function holding(
  holdMs: number,
  answer = 'success',
): Promise<BadReceiver & { maxConcurrent(): number; answered(): number }> {
  let seen = 0;
  let now = 0;
  let max = 0;
  let answered = 0;
  const server = createHttpServer((req, res) => {
    seen++;
    now++;
    max = Math.max(max, now);
    req.resume();
    setTimeout(() => {
      now--;
      answered++;
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'text/plain' }).end(answer);
    }, holdMs);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    seen: () => seen,
    maxConcurrent: () => max,
    answered: () => answered,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}
