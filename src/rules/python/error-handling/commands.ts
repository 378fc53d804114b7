import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import { walkSameScope } from './except-clauses.js';

/**
 * Static view of a command line: the argv tokens we can read. `undefined` marks a token built
 * at run time; `complete` is false when more tokens may follow (a splat, an `extend`, the tail
 * of a formatted string).
 */
export interface Argv {
  tokens: (string | undefined)[];
  complete: boolean;
}

/** argv of an expression: a list/tuple literal, `+` of lists, a string (split on blanks) or a name bound once to one. */
export function argvOf(module: PythonModule, expr: Node, at: Node, depth = 0): Argv | undefined {
  if (depth > 8) return undefined;
  const n = module.unwrap(expr);
  switch (n.type) {
    case 'list':
    case 'tuple': {
      const tokens: (string | undefined)[] = [];
      for (const el of n.namedChildren) {
        if (!el || el.type === 'comment') continue;
        if (el.type === 'list_splat') return { tokens, complete: false };
        tokens.push(tokenOf(module, el));
      }
      return { tokens, complete: true };
    }
    case 'binary_operator': {
      const op = n.childForFieldName('operator')?.text;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (!left || !right) return undefined;
      if (op === '%') return stringArgv(module, left, '%');
      if (op !== '+') return undefined;
      // String concatenation: words may join across the `+`, so only the leading literal counts.
      if (typeof module.constantValue(n) === 'string') return stringArgv(module, n);
      if (module.isStringLiteral(left)) return stringArgv(module, left, undefined, true);
      const l = argvOf(module, left, at, depth + 1);
      if (!l) return undefined;
      if (!l.complete) return l;
      const r = argvOf(module, right, at, depth + 1);
      if (!r) return { tokens: l.tokens, complete: false };
      return { tokens: [...l.tokens, ...r.tokens], complete: r.complete };
    }
    case 'string':
    case 'concatenated_string':
      return stringArgv(module, n);
    case 'call': {
      // "iptables -A {} ...".format(...)
      const call = module.call(n);
      if (call.method === 'format' && call.receiver && module.isStringLiteral(call.receiver)) {
        return stringArgv(module, call.receiver, '{');
      }
      return undefined;
    }
    case 'identifier':
      return nameArgv(module, n.text, at, depth);
    default:
      return undefined;
  }
}

function tokenOf(module: PythonModule, el: Node): string | undefined {
  const v = module.constantValue(el);
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** Leading literal text of a string expression, split like a shell would split plain words. */
function stringArgv(module: PythonModule, node: Node, cutAt?: string, continued = false): Argv | undefined {
  const n = module.unwrap(node);
  const whole = module.constantValue(n);
  let text: string;
  let complete: boolean;
  if (typeof whole === 'string') {
    text = whole;
    complete = !continued;
  } else {
    text = leadingText(n);
    complete = false;
  }
  if (cutAt !== undefined) {
    const i = text.indexOf(cutAt);
    if (i >= 0) {
      text = text.slice(0, i);
      complete = false;
    }
  }
  // Quoting, redirection and pipelines are beyond a word split; keep only what precedes them.
  const special = text.search(/['"`$;&|<>()\\]/);
  if (special >= 0) {
    text = text.slice(0, special);
    complete = false;
  }
  const words = text.split(/\s+/).filter(Boolean);
  if (!complete && !/\s$/.test(text) && words.length > 0) words.pop();
  if (words.length === 0) return undefined;
  return { tokens: words, complete };
}

function leadingText(n: Node): string {
  const parts = n.type === 'concatenated_string' ? n.namedChildren : [n];
  let out = '';
  for (const part of parts) {
    if (!part) continue;
    for (const c of part.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_content') out += c.text;
      else if (c.type === 'interpolation') return out;
    }
  }
  return out;
}

/**
 * argv of a variable: the single assignment of `name` in the enclosing scope before `at`
 * (or a module-level constant). In-place growth (`+=`, `append`, `extend`) makes it incomplete;
 * any other rebinding or an `insert` makes it unknown.
 */
function nameArgv(module: PythonModule, name: string, at: Node, depth: number): Argv | undefined {
  const scope = module.enclosingFunction(at) ?? module.root;
  const assigned: Node[] = [];
  let grows = false;
  let unknown = false;
  walkSameScope(scope, (n) => {
    if (unknown) return false;
    switch (n.type) {
      case 'assignment': {
        const left = n.childForFieldName('left');
        if (left?.type === 'identifier' && left.text === name) assigned.push(n);
        else if (left && left.type !== 'identifier' && bindsName(left, name)) unknown = true;
        break;
      }
      case 'augmented_assignment': {
        const left = n.childForFieldName('left');
        if (left?.type === 'identifier' && left.text === name) grows = true;
        break;
      }
      case 'for_statement':
      case 'for_in_clause': {
        const left = n.childForFieldName('left');
        if (left && bindsName(left, name)) unknown = true;
        break;
      }
      case 'as_pattern_target':
      case 'named_expression':
        if (bindsName(n.type === 'named_expression' ? (n.childForFieldName('name') ?? n) : n, name)) unknown = true;
        break;
      case 'call': {
        const call = module.call(n);
        if (call.receiver?.type === 'identifier' && call.receiver.text === name) {
          if (call.method === 'append' || call.method === 'extend') grows = true;
          else if (call.method === 'insert' || call.method === 'remove' || call.method === 'pop' || call.method === 'clear') unknown = true;
        }
        break;
      }
    }
  });
  if (unknown) return undefined;
  let value: Node | undefined;
  if (assigned.length === 1 && assigned[0]!.startIndex < at.startIndex) {
    value = assigned[0]!.childForFieldName('right') ?? undefined;
  } else if (assigned.length === 0 && scope === module.root) {
    value = module.moduleConstants.get(name);
  } else if (assigned.length === 0) {
    value = module.moduleConstants.get(name);
    if (value && isParameter(module, scope, name)) value = undefined;
  }
  if (!value) return undefined;
  const argv = argvOf(module, value, value, depth + 1);
  if (!argv) return undefined;
  return grows ? { tokens: argv.tokens, complete: false } : argv;
}

function bindsName(target: Node, name: string): boolean {
  if (target.type === 'identifier') return target.text === name;
  return target.namedChildren.some((c) => !!c && bindsName(c, name));
}

function isParameter(module: PythonModule, fn: Node, name: string): boolean {
  const params = fn.childForFieldName('parameters');
  if (!params) return false;
  let found = false;
  walkSameScope(params, (n) => {
    if (n.type === 'identifier' && n.text === name) found = true;
  });
  return found;
}

// ---- which program, and does this invocation change state ---------------------------------

export type Effect = 'write' | 'read' | 'unknown';

export interface Command {
  /** Normalised program name (`/usr/sbin/iptables-legacy` → `iptables`). */
  program: string;
  args: (string | undefined)[];
  complete: boolean;
  effect: Effect;
}

const SUDO_OPTIONS_WITH_VALUE = new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T']);

/** Identify the program behind `sudo`, `env VAR=x` and `ip netns exec <ns>` prefixes. */
export function commandOf(argv: Argv): Command | undefined {
  const t = argv.tokens;
  let i = 0;
  for (;;) {
    const tok = t[i];
    if (tok === undefined) return undefined;
    const base = tok.slice(tok.lastIndexOf('/') + 1);
    if (base === 'sudo' || base === 'doas') {
      i++;
      while (t[i]?.startsWith('-')) {
        if (t[i] === '--') {
          i++;
          break;
        }
        i += SUDO_OPTIONS_WITH_VALUE.has(t[i]!) ? 2 : 1;
      }
      continue;
    }
    if (base === 'env') {
      i++;
      while (t[i] !== undefined && (t[i]!.startsWith('-') || t[i]!.includes('='))) i++;
      continue;
    }
    if (base === 'ip' && t[i + 1] === 'netns' && t[i + 2] === 'exec') {
      i += 4;
      continue;
    }
    const program = base.replace(/-(?:legacy|nft)(?=$|-)/, '');
    const detector = EFFECTS[program];
    if (!detector) return undefined;
    const args = t.slice(i + 1);
    return { program, args, complete: argv.complete, effect: detector(args, argv.complete) };
  }
}

type Detector = (args: (string | undefined)[], complete: boolean) => Effect;

const has = (args: (string | undefined)[], set: ReadonlySet<string>): boolean => args.some((a) => a !== undefined && set.has(a));
const known = (args: (string | undefined)[], complete: boolean): boolean => complete && args.every((a) => a !== undefined);

/** First argument that is not an option (options and their values are not modelled: a leading `-x` is skipped). */
function firstWord(args: (string | undefined)[], optionsWithValue: ReadonlySet<string> = new Set()): string | undefined | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === undefined) return undefined;
    if (a === '--') continue;
    if (a.startsWith('-')) {
      if (optionsWithValue.has(a)) i++;
      continue;
    }
    return a;
  }
  return null; // no word at all
}

const XTABLES_READ = new Set(['--list', '--list-rules', '--check', '--version', '--help', '-V', '-h']);
const XTABLES_WRITE = new Set([
  '-A', '-I', '-D', '-R', '-F', '-Z', '-N', '-X', '-P', '-E', '--append', '--insert', '--delete', '--replace',
  '--flush', '--zero', '--new-chain', '--delete-chain', '--policy', '--rename-chain',
]);
const xtables: Detector = (args) => {
  if (has(args, XTABLES_READ) || args.some((a) => a !== undefined && /^-[nvxwLSC]+$/.test(a) && /[LSC]/.test(a))) return 'read';
  return has(args, XTABLES_WRITE) ? 'write' : 'unknown';
};

const restore: Detector = (args) => (has(args, new Set(['-t', '--test', '-h', '--help'])) ? 'read' : 'write');

const words = (list: string): ReadonlySet<string> => new Set(list.split(/\s+/).filter(Boolean));

/** Programs whose first word is a subcommand with known read and write forms. */
function bySubcommand(read: ReadonlySet<string>, write: ReadonlySet<string>, optionsWithValue?: ReadonlySet<string>, noWord: Effect = 'unknown'): Detector {
  return (args) => {
    const w = firstWord(args, optionsWithValue);
    if (w === null) return noWord;
    if (w === undefined) return 'unknown';
    if (read.has(w)) return 'read';
    return write.has(w) ? 'write' : 'unknown';
  };
}

const IP_OBJECTS = words('netns link l addr address a route ro r rule ru neigh neighbor neighbour n tunnel tuntap xfrm');
const IP_WRITE = words('add del delete set change replace flush append prepend attach');
const IP_READ = words('show sh s list ls lst l get monitor save identify');
const IP_OPTIONS_WITH_VALUE = words('-n -netns -f -family -b -batch -rc -rcvbuf');
const ip: Detector = (args, complete) => {
  let i = 0;
  while (args[i]?.startsWith('-')) i += IP_OPTIONS_WITH_VALUE.has(args[i]!) ? 2 : 1;
  const object = args[i];
  if (object === undefined) return i < args.length || !complete ? 'unknown' : 'read';
  if (!IP_OBJECTS.has(object)) return 'unknown';
  let action = args[i + 1];
  if (object === 'xfrm') action = args[i + 2];
  if (action === undefined) return i + 1 < args.length || !complete ? 'unknown' : 'read';
  if (IP_WRITE.has(action)) return 'write';
  return IP_READ.has(action) ? 'read' : 'unknown';
};

const sysctl: Detector = (args, complete) => {
  if (args.some((a) => a !== undefined && (a.includes('=') || ['-w', '--write', '-p', '--load', '--system'].includes(a)))) return 'write';
  return known(args, complete) ? 'read' : 'unknown';
};

const alwaysWrite: Detector = () => 'write';

const tc: Detector = (args) => {
  if (has(args, words('add del delete change replace link'))) return 'write';
  return has(args, words('show ls list')) ? 'read' : 'unknown';
};

const mount: Detector = (args, complete) => {
  if (known(args, complete) && args.every((a) => a === '-l' || a === '--show-labels')) return 'read';
  return 'write';
};

const OVS_VSCTL_READ = words(
  'show list get find list-br list-ports list-ifaces br-exists port-to-br iface-to-br br-to-parent br-to-vlan ' +
    'get-controller get-fail-mode get-manager get-ssl wait-until',
);
const OVS_VSCTL_WRITE = words(
  'add-br del-br add-port del-port add-bond set clear remove add create destroy set-controller del-controller ' +
    'set-fail-mode del-fail-mode set-manager del-manager set-ssl del-ssl emer-reset init',
);
const ovsVsctl: Detector = (args) => {
  if (has(args, OVS_VSCTL_WRITE)) return 'write';
  const w = firstWord(args, words('--timeout -t --db --id'));
  return w && OVS_VSCTL_READ.has(w) ? 'read' : 'unknown';
};

const OVS_OFCTL_WRITE = words(
  'add-flow add-flows del-flows mod-flows replace-flows add-group add-groups del-groups mod-group insert-buckets ' +
    'remove-buckets add-meter mod-meter del-meters mod-port mod-table set-frags packet-out',
);
const ovsOfctl: Detector = (args) => {
  const w = firstWord(args, words('-O --protocols'));
  if (!w) return 'unknown';
  if (OVS_OFCTL_WRITE.has(w)) return 'write';
  return w.startsWith('dump-') || words('show snoop monitor queue-stats queue-get-config probe ping diff-flows get-frags').has(w) ? 'read' : 'unknown';
};

const firewallCmd: Detector = (args) => {
  if (args.some((a) => a !== undefined && /^--(?:list|get|query|state|info)/.test(a))) return 'read';
  return args.some((a) => a !== undefined && /^--(?:add|remove|set|reload|complete-reload|runtime-to-permanent|change|new|delete|panic)/.test(a))
    ? 'write'
    : 'unknown';
};

const EFFECTS: Readonly<Record<string, Detector>> = {
  iptables: xtables,
  ip6tables: xtables,
  ebtables: xtables,
  arptables: xtables,
  'iptables-restore': restore,
  'ip6tables-restore': restore,
  nft: (args) => {
    if (has(args, words('-c --check'))) return 'read';
    if (has(args, words('-f --file'))) return 'write';
    return bySubcommand(words('list monitor describe'), words('add insert delete flush create replace reset destroy rename'))(args, true);
  },
  sysctl,
  ipset: bySubcommand(
    words('list save test help version -L -S -T -v'),
    words('create add del destroy flush rename swap restore -N -A -D -X -F -E -W -R'),
  ),
  conntrack: (args) => {
    if (has(args, words('-L --dump -G --get -C --count -E --event -S --stats'))) return 'read';
    return has(args, words('-D --delete -F --flush -U --update -I --create')) ? 'write' : 'unknown';
  },
  chmod: alwaysWrite,
  chown: alwaysWrite,
  chgrp: alwaysWrite,
  setfacl: alwaysWrite,
  ip,
  tc,
  'ovs-vsctl': ovsVsctl,
  'ovs-ofctl': ovsOfctl,
  brctl: bySubcommand(
    words('show showmacs showstp'),
    words('addbr delbr addif delif setageing setfd sethello setmaxage setpathcost setportprio setbridgeprio stp hairpin'),
  ),
  modprobe: (args) => (has(args, words('-n --dry-run -c --showconfig -R --resolve-alias -D --show-depends')) ? 'read' : 'write'),
  mount,
  umount: alwaysWrite,
  setenforce: alwaysWrite,
  ufw: bySubcommand(words('status show version app'), words('enable disable reload reset default logging allow deny reject limit delete insert route prepend')),
  'firewall-cmd': firewallCmd,
  passwd: (args) => (has(args, words('-S --status')) ? 'read' : 'write'),
  useradd: alwaysWrite,
  usermod: alwaysWrite,
  userdel: alwaysWrite,
  groupadd: alwaysWrite,
  gpasswd: alwaysWrite,
  chpasswd: alwaysWrite,
};

/** `sysctl -w net.ipv4.ip_forward=1 …` for a message. */
export function describeCommand(command: Command, max = 6): string {
  const shown = [command.program, ...command.args].slice(0, max).map((a) => a ?? '…');
  const more = command.args.length + 1 > max || !command.complete;
  return `${shown.join(' ')}${more && shown.at(-1) !== '…' ? ' …' : ''}`;
}
