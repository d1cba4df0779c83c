// Seed 001's Go `CheckSign` demo, extracted from the seed, built with `go build` and run.
//
// The seed prints only the function, in two pieces split by a page break (joined by seed.ts joinPageBreak);
// it cannot run as printed. The wrapper adds what the seed leaves out, and changes none of its lines:
//  - `package main` and the imports it uses (encoding/json, errors);
//  - `PayConf.Key`, the merchant's key it reads: a package variable the runner sets per task;
//  - `genSign(m, key)`, which it calls but the seed never prints: written here from §16's text (every
//    parameter but `sign`, sorted by name, empty values left out, `k=v&…&key=<key>`, HMAC-SHA256 with the key,
//    lower-case hex). It is therefore the test's code, not the seed's: the demo's own logic is CheckSign's
//    checks (merchantId and sign present as non-empty strings) and its exact comparison of `sign`;
//  - a `main` reading tasks as JSON on stdin: `verify` hands the parameters to CheckSign as a
//    map[string]interface{}, `sign` returns genSign's value. CheckSign asserts `merchantId.(string)`: it was
//    written for the form-field webhook where every value is a string. A `param=<JSON>` webhook carries
//    merchantId (and createTime, orderStatus) as JSON numbers, on which that assertion panics; the runner
//    therefore decodes JSON numbers as their literal text (json.Number -> string), as a merchant moving
//    seed 001's code to the newer format has to.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run.js';

const PRELUDE = `package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
)

// PayConf: the seed's CheckSign reads the merchant key from it without declaring it.
var PayConf struct{ Key string }

// genSign: called by the seed's CheckSign, never printed by the seed; written by the test from §16's text.
func genSign(m map[string]interface{}, key string) string {
	names := make([]string, 0, len(m))
	for k := range m {
		if k != "sign" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, k := range names {
		if m[k] == nil {
			continue
		}
		v := fmt.Sprint(m[k])
		if v == "" {
			continue
		}
		b.WriteString(k + "=" + v + "&")
	}
	b.WriteString("key=" + key)
	h := hmac.New(sha256.New, []byte(key))
	h.Write(b.Bytes())
	return hex.EncodeToString(h.Sum(nil))
}

// ---- seed 001 §16, Go demo, as printed (page-break pieces joined) ----
`;

const RUNNER = `
// ---- test runner ----
type task struct {
	Op     string          \`json:"op"\`
	Key    string          \`json:"key"\`
	Params json.RawMessage \`json:"params"\`
}

func check(m map[string]interface{}) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint("panic: ", r)
		}
	}()
	if err := CheckSign(m); err != nil {
		return err.Error()
	}
	return ""
}

func main() {
	var tasks []task
	if err := json.NewDecoder(os.Stdin).Decode(&tasks); err != nil {
		panic(err)
	}
	out := make([]map[string]string, 0, len(tasks))
	for _, t := range tasks {
		PayConf.Key = t.Key
		d := json.NewDecoder(bytes.NewReader(t.Params))
		d.UseNumber()
		var m map[string]interface{}
		if err := d.Decode(&m); err != nil {
			panic(err)
		}
		for k, v := range m {
			if n, ok := v.(json.Number); ok {
				m[k] = n.String()
			}
		}
		if t.Op == "sign" {
			out = append(out, map[string]string{"sign": genSign(m, t.Key)})
		} else {
			out = append(out, map[string]string{"error": check(m)})
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}

var _ = errors.New
`;

export interface GoTask {
  op: 'sign' | 'verify';
  key: string;
  /** A JSON object: the form fields as strings, or a `param` webhook's JSON text as Tender sent it. */
  paramsJson: string;
}

export interface GoDemo {
  /** Per task: `sign` for a sign task; `error` ('' when CheckSign returned nil) for a verify task. */
  run(tasks: GoTask[]): Promise<Array<{ sign?: string; error?: string }>>;
}

/** The program built: the wrapper's prelude, the seed's CheckSign as extracted, the runner. */
export const goSource = (demo: string) => `${PRELUDE}${demo}\n${RUNNER}`;

export async function buildGo(demo: string, dir: string): Promise<GoDemo> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.go'), goSource(demo));
  // go needs a writable cache and home; nothing is downloaded (standard library only).
  const env = {
    ...process.env,
    HOME: dir,
    GOCACHE: join(dir, 'cache'),
    GOPATH: join(dir, 'gopath'),
    GOFLAGS: '-mod=mod',
    GOPROXY: 'off',
    GO111MODULE: 'on',
    CGO_ENABLED: '0',
    GOTOOLCHAIN: 'local', // a newer go must not try to fetch another toolchain
  };
  const bin = join(dir, 'checksign');
  await run('go', ['build', '-o', bin, 'main.go'], { cwd: dir, env, timeoutMs: 300_000 });
  return {
    async run(tasks) {
      const input = `[${tasks
        .map((t) => `{"op":${JSON.stringify(t.op)},` + `"key":${JSON.stringify(t.key)},"params":${t.paramsJson}}`)
        .join(',')}]`;
      return JSON.parse(await run(bin, [], { input })) as Array<{ sign?: string; error?: string }>;
    },
  };
}
