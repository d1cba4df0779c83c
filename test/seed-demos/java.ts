// Seed 001's Java `CheckSign` demo, extracted from the seed, compiled with javac and run with java.
//
// What the wrapper changes, and only this (the signing logic — sort every key, `k=v&` for each, `key=`,
// HMAC-SHA256, hex — is the seed's, untouched):
//  - the seed printed the class in two pieces across a page break, with the braces still open at the break
//    closed early; the pieces are joined (seed.ts joinPageBreak) and the `"UTF-` / `8"` literal cut by the
//    line wrap is joined (seed.ts joinWrappedStrings);
//  - the demo's hard-coded key and `params.put` lines stay as printed, but a runner class can hand `main` a
//    different key and parameter map first: `String key = "…"` becomes `String key = SeedDemoInput.key("…")`
//    and the `params.put` lines are wrapped in `if (!SeedDemoInput.use(params)) { … }`.
// The runner first calls `main` as printed (the demo's own key and parameters), then once per task.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceOnce } from './seed.js';
import { run } from './run.js';

const RUNNER = `package com.lianjing.controller;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

// Test runner: feeds the seed's CheckSign.main one task per stdin line (base64 key, then name value pairs).
public class SeedDemoInput {
    static String key;
    static Map<String, Object> params;

    static String key(String printed) { return key != null ? key : printed; }

    static boolean use(Map<String, Object> p) {
        if (params == null) return false;
        p.putAll(params);
        return true;
    }

    static String dec(String s) {
        return new String(Base64.getDecoder().decode(s.substring(1)), StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        CheckSign.main(new String[0]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.isEmpty()) continue;
            String[] t = line.split(" ");
            key = dec(t[0]);
            params = new LinkedHashMap<>();
            for (int i = 1; i + 1 < t.length; i += 2) params.put(dec(t[i]), dec(t[i + 1]));
            CheckSign.main(new String[0]);
        }
    }
}
`;

export function wrapJava(demo: string): string {
  let src = replaceOnce(
    demo,
    /String key = ("[^"\n]*");/,
    `String key = SeedDemoInput.key(${demo.match(/String key = ("[^"\n]*");/)?.[1]});`,
    'hard-coded key',
  );
  const lines = src.split('\n');
  const first = lines.findIndex((l) => /^\s*params\.put\(/.test(l));
  let last = first;
  while (last + 1 < lines.length && /^\s*params\.put\(/.test(lines[last + 1]!)) last++;
  if (first < 0) throw new Error('seed Java demo: no params.put lines');
  lines.splice(first, 0, '        if (!SeedDemoInput.use(params)) {');
  lines.splice(last + 2, 0, '        }');
  src = lines.join('\n');
  return src;
}

export interface JavaDemo {
  /** Runs the demo as printed, then once per task; returns what each run printed: the signed text and sign. */
  sign(tasks: Array<{ key: string; params: Record<string, string> }>): Promise<Array<{ base: string; sign: string }>>;
}

export async function buildJava(demo: string, dir: string): Promise<JavaDemo> {
  const srcDir = join(dir, 'src');
  const out = join(dir, 'classes');
  mkdirSync(srcDir, { recursive: true });
  writeFileSync(join(srcDir, 'CheckSign.java'), wrapJava(demo));
  writeFileSync(join(srcDir, 'SeedDemoInput.java'), RUNNER);
  await run('javac', [
    '-nowarn',
    '-encoding',
    'UTF-8',
    '-d',
    out,
    ...['CheckSign', 'SeedDemoInput'].map((n) => join(srcDir, `${n}.java`)),
  ]);
  const b64 = (s: string) => `x${Buffer.from(s, 'utf8').toString('base64')}`;
  return {
    async sign(tasks) {
      const input = tasks.map((t) => [t.key, ...Object.entries(t.params).flat()].map(b64).join(' ')).join('\n');
      const stdout = await run(
        'java',
        ['-Dsun.stdout.encoding=UTF-8', '-Dfile.encoding=UTF-8', '-cp', out, 'com.lianjing.controller.SeedDemoInput'],
        { input: `${input}\n`, env: { ...process.env, LC_ALL: 'C.UTF-8' } },
      );
      const lines = stdout.replace(/\n$/, '').split('\n');
      if (lines.length !== 2 * (tasks.length + 1))
        throw new Error(`java demo printed ${lines.length} lines for ${tasks.length + 1} runs:\n${stdout}`);
      const runs = [];
      for (let i = 0; i < lines.length; i += 2) runs.push({ base: lines[i]!, sign: lines[i + 1]! });
      return runs;
    },
  };
}
