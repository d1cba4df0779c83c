// Records what the suite makes Tender produce, for the leak scan (test/leak-scan.ts) that `npm test` runs after
// the tests: scripts/test.mjs sets TENDER_TEST_RECORD_DIR to a run directory, and the harness writes there every
// log line (at trace level, with the production logger's redaction), every HTTP answer body, every webhook a test
// receiver got and the output of every Tender process the tests start. Unset (a single file run by hand), nothing
// is recorded. Writes are buffered in memory and appended synchronously in large chunks, and at process exit, so
// recording costs a few copies per answer and no extra I/O round trip per line.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type RecordKind = 'log' | 'answer' | 'webhook' | 'process';

export interface Recorder {
  write(kind: RecordKind, text: string): void;
  flush(): void;
}

const FLUSH_AT = 1 << 20;

/** A recorder appending to `<dir>/<kind>-<pid>.txt`; records are separated by a newline. */
export function recorder(dir: string): Recorder {
  const buffers = new Map<RecordKind, { parts: string[]; size: number }>();
  const flushKind = (kind: RecordKind) => {
    const b = buffers.get(kind);
    if (!b || b.parts.length === 0) return;
    const fd = openSync(join(dir, `${kind}-${process.pid}.txt`), 'a');
    try {
      writeSync(fd, b.parts.join(''));
    } finally {
      closeSync(fd);
    }
    b.parts = [];
    b.size = 0;
  };
  const flush = () => {
    for (const k of buffers.keys()) flushKind(k);
  };
  process.on('exit', flush);
  return {
    write(kind, text) {
      let b = buffers.get(kind);
      if (!b) {
        b = { parts: [], size: 0 };
        buffers.set(kind, b);
      }
      b.parts.push(text.endsWith('\n') ? text : `${text}\n`);
      b.size += text.length;
      if (b.size >= FLUSH_AT) flushKind(kind);
    },
    flush,
  };
}

const dir = process.env.TENDER_TEST_RECORD_DIR;

/** The suite's recorder, or undefined when nothing is recorded. */
export const suiteRecorder: Recorder | undefined = dir ? recorder(dir) : undefined;

/** Records `text` when the suite records; a no-op otherwise. */
export function recordOutput(kind: RecordKind, text: string): void {
  suiteRecorder?.write(kind, text);
}

/** A pino destination writing into the recorder (pino calls write with one JSON line each time). */
export function recordingStream(kind: RecordKind): { write(s: string): void } | undefined {
  const r = suiteRecorder;
  return r ? { write: (s: string) => r.write(kind, s) } : undefined;
}
