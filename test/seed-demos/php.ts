// Seed 001's PHP demo, extracted from the seed and run with php-cli.
//
// The script runs as printed (ksort, `"{$k}={$v}&"` for every parameter, `key=`, hash_hmac sha256). The
// wrapper only lets a runner hand it other parameters and another key: the `$arr = [ … ];` literal becomes
// `$arr = __seed_params([ … ]);` and the key literal (twice: in the `key=` text and in `$secret`) goes through
// `__seed_key('…')`; both return the printed value when no task is set. The runner `include`s the script
// once as printed, then once per task, capturing what it echoes: json_encode($arr) followed by the sign.
// A `param=<JSON>` webhook is decoded by the runner with json_decode($param, true), as a PHP merchant does.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceOnce } from './seed.js';
import { run } from './run.js';

const RUNNER = `<?php
// Test runner: tasks as JSON on stdin; each task's parameters (or a webhook's JSON text) and key.
$__seed_task = null;
function __seed_params(array $printed): array {
    global $__seed_task;
    return $__seed_task === null ? $printed : $__seed_task['params'];
}
function __seed_key(string $printed): string {
    global $__seed_task;
    return $__seed_task === null ? $printed : $__seed_task['key'];
}
$__tasks = json_decode(stream_get_contents(STDIN), true);
array_unshift($__tasks, null);
$__out = [];
foreach ($__tasks as $__t) {
    if ($__t !== null && isset($__t['json'])) {
        $__t['params'] = json_decode($__t['json'], true);
        unset($__t['params']['sign']);
    }
    $__seed_task = $__t;
    ob_start();
    include __DIR__ . '/demo.php';
    $__out[] = ob_get_clean();
}
echo json_encode($__out);
`;

export function wrapPhp(demo: string): string {
  const key = demo.match(/\$secret = "([^"\n]+)";/)?.[1];
  if (!key) throw new Error('seed PHP demo: no $secret literal');
  let src = replaceOnce(demo, `'key=${key}'`, `'key='.__seed_key('${key}')`, "key literal in 'key=…'");
  src = replaceOnce(src, `$secret = "${key}";`, `$secret = __seed_key("${key}");`, '$secret literal');
  const open = src.indexOf('$arr = [');
  const close = src.indexOf('\n];', open);
  if (open < 0 || close < 0 || src.indexOf('$arr = [', open + 1) >= 0)
    throw new Error('seed PHP demo: no single $arr literal');
  return (
    `${src.slice(0, open)}$arr =` +
    ` __seed_params([${src.slice(open + '$arr = ['.length, close)}\n]);${src.slice(close + 3)}`
  );
}

export interface PhpTask {
  key: string;
  /** The parameters to sign (without `sign`), or … */
  params?: Record<string, string>;
  /** … a webhook's `param` JSON text, decoded by the runner (its `sign` removed). */
  json?: string;
}

export interface PhpDemo {
  /** Runs the script as printed, then once per task; returns the sign each run echoed (after its JSON). */
  sign(tasks: PhpTask[]): Promise<Array<{ echoed: string; sign: string }>>;
}

export async function buildPhp(demo: string, dir: string): Promise<PhpDemo> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'demo.php'), wrapPhp(demo));
  writeFileSync(join(dir, 'runner.php'), RUNNER);
  await run('php', ['-l', join(dir, 'demo.php')]);
  return {
    async sign(tasks) {
      const printed = JSON.parse(
        await run('php', [join(dir, 'runner.php')], { input: JSON.stringify(tasks) }),
      ) as string[];
      return printed.map((echoed) => {
        const m = echoed.match(/([0-9a-f]{64})$/);
        if (!m) throw new Error(`php demo printed no sign: ${echoed}`);
        return { echoed, sign: m[1]! };
      });
    },
  };
}
