// Helpers of the portal and console tests: a cookie-keeping HTTP client (real HTTP to the test server, no
// redirects followed), the CSRF token of a page, and complete logins for merchants and operators.
import assert from 'node:assert/strict';
import type { TestEnv } from './harness.js';
import { changePassword } from '../src/core/portal-auth.js';
import { createConsoleOperator, type ConsoleOperatorCredentials } from '../src/core/operators.js';

export interface Answer {
  status: number;
  location: string | null;
  body: string;
  headers: Headers;
}

/** One browser-like client: keeps the cookies it is given (by name; path ignored unless `path` says so). */
export class Agent {
  readonly jar = new Map<string, { value: string; path: string }>();
  constructor(readonly base: string) {}

  cookie(name: string): string | undefined {
    return this.jar.get(name)?.value;
  }

  private cookieHeader(path: string): string {
    return [...this.jar.entries()]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([k, c]) => `${k}=${c.value}`)
      .join('; ');
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const path =
        attrs
          .map((a) => a.trim())
          .find((a) => /^path=/i.test(a))
          ?.slice(5) ?? '/';
      const expired = attrs.some((a) => /^expires=/i.test(a.trim()) && new Date(a.trim().slice(8)) < new Date());
      if (value === '' || expired) this.jar.delete(name);
      else this.jar.set(name, { value, path });
    }
  }

  async get(path: string): Promise<Answer> {
    const res = await fetch(this.base + path, { redirect: 'manual', headers: { cookie: this.cookieHeader(path) } });
    this.keep(res);
    return { status: res.status, location: res.headers.get('location'), body: await res.text(), headers: res.headers };
  }

  async post(path: string, form: Record<string, string>): Promise<Answer> {
    const res = await fetch(this.base + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(path), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    this.keep(res);
    return { status: res.status, location: res.headers.get('location'), body: await res.text(), headers: res.headers };
  }

  /** GET `page`, then POST its form to `action` with the page's CSRF token. */
  async submit(page: string, action: string, form: Record<string, string>): Promise<Answer> {
    const p = await this.get(page);
    assert.equal(p.status, 200, `${page}: ${p.status} ${p.location ?? ''}`);
    return this.post(action, { _csrf: csrfOf(p.body), ...form });
  }
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(m, 'the page has a CSRF field');
  return m[1]!.replace(/&amp;/g, '&');
}

export const NEW_PASSWORD = 'correct horse battery staple';

/** Logs a merchant in with its one-time password and makes the forced change; the agent is then logged in. */
export async function merchantLogin(env: TestEnv, username: string, password: string): Promise<Agent> {
  const a = new Agent(env.url);
  const r = await a.submit('/login', '/login', { username, password });
  assert.equal(r.status, 303, r.body);
  if (r.location === '/user-center/password') {
    const c = await a.submit('/user-center/password', '/user-center/password', {
      next: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    assert.equal(c.location, '/', c.body);
  }
  return a;
}

/** A console operator whose one-time password is already changed to NEW_PASSWORD. */
export async function consoleOperator(
  env: TestEnv,
  email: string,
  role: 'admin' | 'support',
): Promise<ConsoleOperatorCredentials> {
  const c = await createConsoleOperator(env.deps, { email, role });
  const r = await changePassword(env.deps, 'operator', String(c.operatorId), {
    next: NEW_PASSWORD,
    confirm: NEW_PASSWORD,
  });
  assert.ok(r.ok);
  return c;
}

export async function operatorLogin(env: TestEnv, username: string, password = NEW_PASSWORD): Promise<Agent> {
  const a = new Agent(env.url);
  const r = await a.submit('/console/login', '/console/login', { username, password });
  assert.equal(r.status, 303, r.body);
  return a;
}
