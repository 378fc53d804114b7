import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { calledName, mentions, unwrap } from '../syntax.js';

/** Calls that signal a failed security check by throwing. */
const SECURITY_CALL = /^(?:verify\w*|authenticate\w*|authori[sz]e\w*|decrypt\w*|checkPermissions?|assertPermission\w*|requirePermission\w*|validate(?:Token|Signature|Session|Jwt|JWT)\w*|timingSafeEqual|final)$/;

export default defineRule({
  id: 'javascript/swallowed-verification-error',
  language: 'javascript',
  title: 'Empty catch around a verification step lets a failed check pass',
  cwe: [390],
  severity: 'high',
  confidence: 'medium',
  description:
    'Reports `try { … } catch {}` with an empty handler around a call that reports failure by throwing: `jwt.verify`, ' +
    '`verify…`, `authenticate…`, `authorize…`, `decrypt…`, `decipher.final()`, `checkPermission`, `validateToken…`. It is ' +
    'reported when the call\'s result is discarded, or stored in a variable that nothing after the `try` reads: then the code ' +
    'after the `try` runs the same whether the check passed or failed. A result checked after the `try` ' +
    '(`if (!payload) return 401`) and a `return` inside the `try` are not reported.',
  whyItMatters: 'A forged token, a bad signature or a tampered ciphertext raises, the error is dropped, and the request proceeds as if it were valid.',
  fix: {
    guidance: 'Handle the failure: reject the request (`return res.sendStatus(401)`) or rethrow; never leave the handler empty around a check.',
    before: 'try {\n  jwt.verify(token, key);\n} catch (e) {}\nnext();',
    after: 'try {\n  req.user = jwt.verify(token, key);\n} catch (e) {\n  return res.sendStatus(401);\n}\nnext();',
  },
  references: ['https://cwe.mitre.org/data/definitions/390.html', 'https://github.com/auth0/node-jsonwebtoken#errors--codes'],
  create({ report }) {
    return {
      nodes: {
        catch_clause(clause: Node) {
          const body = clause.childForFieldName('body');
          if (!body || body.namedChildren.some((c) => c.type !== 'comment')) return;
          const tryStmt = clause.parent;
          const block = tryStmt?.childForFieldName('body');
          if (!tryStmt || tryStmt.type !== 'try_statement' || !block || block.descendantsOfType('return_statement').length > 0) return;
          const after: Node[] = [];
          for (let s = tryStmt.nextNamedSibling; s; s = s.nextNamedSibling) after.push(s);
          for (const call of block.descendantsOfType('call_expression')) {
            const name = calledName(call);
            if (!name || !SECURITY_CALL.test(name)) continue;
            let use: Node = call;
            while (use.parent && (use.parent.type === 'await_expression' || use.parent.type === 'parenthesized_expression')) use = use.parent;
            const p = use.parent;
            let stored: string | undefined;
            if (p?.type === 'variable_declarator') stored = p.childForFieldName('name')?.text;
            else if (p?.type === 'assignment_expression') {
              const l = p.childForFieldName('left');
              stored = l ? unwrap(l).text : undefined;
            } else if (p?.type !== 'expression_statement') continue; // used in an expression: checked there
            if (stored) {
              // `req.user = verify(…)`: later code reading req.user sees undefined on failure; only a plain name can be checked here.
              if (!/^[A-Za-z_$][\w$]*$/.test(stored) || after.some((s) => mentions(s, stored!))) continue;
            }
            report({ node: call, message: `\`${name}\` fails by throwing, and the empty \`catch\` drops the failure: the code after the \`try\` runs either way.` });
            return;
          }
        },
      },
    };
  },
});
