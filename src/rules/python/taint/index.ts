import type { AnyRule } from '../../define-rule.js';
import argumentInjection from './argument-injection.js';
import codeInjection from './code-injection.js';
import errorDetailExposure from './error-detail-exposure.js';
import commandInjection from './command-injection.js';
import headerInjection from './header-injection.js';
import ldapInjection from './ldap-injection.js';
import logInjection from './log-injection.js';
import massAssignment from './mass-assignment.js';
import openRedirect from './open-redirect.js';
import pathTraversal from './path-traversal.js';
import sqlInjection from './sql-injection.js';
import ssrf from './ssrf.js';
import taintedDeserialization from './tainted-deserialization.js';
import taintedXmlParsing from './tainted-xml-parsing.js';
import trustBoundaryViolation from './trust-boundary-violation.js';
import uncontrolledAllocation from './uncontrolled-allocation.js';
import xpathInjection from './xpath-injection.js';
import xss from './xss.js';

/** Taint rules: one per sink kind, found by the taint engine over the whole program. */
export const taintRules: AnyRule[] = [
  argumentInjection,
  codeInjection,
  commandInjection,
  errorDetailExposure,
  headerInjection,
  ldapInjection,
  logInjection,
  massAssignment,
  openRedirect,
  pathTraversal,
  sqlInjection,
  ssrf,
  taintedDeserialization,
  taintedXmlParsing,
  trustBoundaryViolation,
  uncontrolledAllocation,
  xpathInjection,
  xss,
];
