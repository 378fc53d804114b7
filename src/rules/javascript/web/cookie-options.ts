// Where a cookie is set and with which options, across Express, Fastify, Koa, `cookie` and express-session.
import type { Node } from '../../../parse/tree-sitter.js';
import type { JavaScriptModule } from '../../../frontend/javascript/module.js';
import { argsOf, calleeName, calledName, constantValue, hasSpread, memberObject, objectLiteral, property, unwrap } from '../syntax.js';
import { classifyNames } from '../crypto/secret-words.js';

export interface CookieSite {
  /** Which API sets the cookie (for messages). */
  api: string;
  /** The options object literal, or undefined when none was passed. */
  options: Node | undefined;
  /** Whether the cookie's name or value says it carries a session or credential. */
  sensitive: boolean;
  /** What each flag is when the option is absent. */
  defaults: { secure: boolean; httpOnly: boolean };
}

const RESPONSE = /^(?:res|response|reply|resp)$/;

/** The option's constant value: true/false, a string, or undefined (absent or not constant). */
export function flag(module: JavaScriptModule, options: Node | undefined, key: string): { present: boolean; value: unknown } {
  const v = property(options, key);
  if (!v) return { present: false, value: undefined };
  return { present: true, value: constantValue(module, v) };
}

function namesOf(nodes: (Node | undefined)[], module: JavaScriptModule): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    if (!n) continue;
    const v = constantValue(module, n);
    if (typeof v === 'string') out.push(v);
    else for (const id of unwrap(n).descendantsOfType(['identifier', 'property_identifier'])) out.push(id.text);
    if (unwrap(n).type === 'identifier') out.push(unwrap(n).text);
  }
  return out;
}

/**
 * The cookie a call sets, if it is `res.cookie(name, value, opts)`, `reply.setCookie(…)`,
 * `ctx.cookies.set(…)`, `cookie.serialize(…)` or `session({ cookie: {…} })`. Undefined when the
 * options cannot be read (a variable, a spread): nothing is known then.
 */
export function cookieSite(module: JavaScriptModule, call: Node): CookieSite | undefined {
  const name = calleeName(module, call);
  const args = argsOf(call);
  const read = (n: Node | undefined): { ok: boolean; options: Node | undefined } => {
    if (!n) return { ok: true, options: undefined };
    const o = objectLiteral(module, n);
    return o && !hasSpread(o) ? { ok: true, options: o } : { ok: false, options: undefined };
  };
  if (name === 'express-session') {
    const top = objectLiteral(module, args[0]);
    if (!top || hasSpread(top)) return undefined;
    const c = property(top, 'cookie');
    const r = read(c);
    if (!r.ok) return undefined;
    return { api: 'express-session', options: r.options, sensitive: true, defaults: { secure: false, httpOnly: true } };
  }
  if (name === 'cookie.serialize') {
    const r = read(args[2]);
    if (!r.ok) return undefined;
    return { api: 'cookie.serialize', options: r.options, sensitive: classifyNames(namesOf([args[0], args[1]], module)) === 'security', defaults: { secure: false, httpOnly: false } };
  }
  const method = calledName(call);
  const callee = call.childForFieldName('function');
  const receiver = callee ? memberObject(callee) : undefined;
  if (!receiver || args.length < 2) return undefined;
  const recv = unwrap(receiver);
  if ((method === 'cookie' || method === 'setCookie') && recv.type === 'identifier' && RESPONSE.test(recv.text)) {
    const r = read(args[2]);
    if (!r.ok) return undefined;
    return { api: `${recv.text}.${method}`, options: r.options, sensitive: classifyNames(namesOf([args[0], args[1]], module)) === 'security', defaults: { secure: false, httpOnly: false } };
  }
  if (method === 'set' && recv.type === 'member_expression' && recv.childForFieldName('property')?.text === 'cookies') {
    const r = read(args[2]);
    if (!r.ok) return undefined;
    // Koa (cookies): httpOnly on by default, secure off.
    return { api: 'ctx.cookies.set', options: r.options, sensitive: classifyNames(namesOf([args[0], args[1]], module)) === 'security', defaults: { secure: false, httpOnly: true } };
  }
  return undefined;
}
