/** The HTML report's inline stylesheet and script: static text whose hashes go into the CSP. */

// ---------------------------------------------------------------------------------------------
// The inline stylesheet. Static text: its hash goes into the CSP. No style attributes anywhere.

export const CSS = `
:root{--bg:#f6f7f9;--card:#fff;--fg:#1c2430;--muted:#5b6675;--line:#e3e7ed;--soft:#eef1f5;--accent:#3b5bdb;
--code-bg:#fbfcfd;--code-hl:#fff6d8;--code-gutter:#98a2b0;--mark:rgba(234,88,12,.16);--mark-line:#dc2626;
--crit:#b42318;--crit-bg:#fee4e2;--high:#d9480f;--high-bg:#ffe8d7;--med:#b7791f;--med-bg:#fdf3d0;--low:#2f6fc4;--low-bg:#e1ecfb;--unk:#6b7280;--unk-bg:#eceef1;
--tk:#8a3ffc;--ts:#0b7a52;--tc:#7c8796;--tn:#b25c00;--tb:#1f6feb;--tf:#0550ae;--td:#9a6700;
--sans:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Noto Sans","Liberation Sans",Arial,sans-serif;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace}
@media (prefers-color-scheme:dark){:root{--bg:#0f141b;--card:#161c25;--fg:#e3e8ef;--muted:#9aa5b4;--line:#263040;--soft:#1d2531;--accent:#7c9cff;
--code-bg:#121821;--code-hl:#2d2a17;--code-gutter:#5f6b7b;--mark:rgba(251,146,60,.22);--mark-line:#f87171;
--crit:#ff6b5e;--crit-bg:#3a1816;--high:#ff922b;--high-bg:#3a2312;--med:#f2c94c;--med-bg:#362d10;--low:#74a7ff;--low-bg:#15263f;--unk:#9aa5b4;--unk-bg:#222a35;
--tk:#c79bff;--ts:#5fd3a1;--tc:#7d8896;--tn:#ffb86b;--tb:#79b8ff;--tf:#9ecbff;--td:#e3b341}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.55 var(--sans)}
a{color:var(--accent)}
code,.mono{font-family:var(--mono);font-size:.9em}
.top{display:flex;align-items:center;gap:18px;padding:14px 28px;background:#111827;color:#e5e7eb}
.brand{font-weight:650;font-size:17px;letter-spacing:.2px;display:flex;align-items:center;gap:8px;white-space:nowrap}
.logo{width:18px;height:18px;border-radius:5px;background:linear-gradient(135deg,#f97316,#dc2626)}
.ver{font-weight:400;color:#9ca3af;font-size:13px}
.scope{color:#9ca3af;font:13px var(--mono);overflow:hidden;text-overflow:ellipsis;white-space:nowrap;min-width:0}
main{max-width:1240px;margin:0 auto;padding:24px 28px 40px}
footer{max-width:1240px;margin:0 auto;padding:0 28px 32px;color:var(--muted);font-size:13px}
h1{font-size:26px;line-height:1.25;margin:0 0 16px;font-weight:700;letter-spacing:-.2px}
h2{font-size:19px;margin:0;font-weight:650}
h3{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:0 0 6px;font-weight:650}
.card,.verdict{background:var(--card);border:1px solid var(--line);border-radius:12px}
.verdict{padding:22px 24px;margin-bottom:18px;border-left:6px solid var(--crit)}
.verdict.ok{border-left-color:#16a34a}
.verdict.ok h1{color:#15803d;margin-bottom:12px}
.tiles{display:flex;flex-wrap:wrap;gap:10px}
.tile,.fact{display:flex;flex-direction:column;min-width:108px;padding:10px 14px;border-radius:10px;background:var(--soft)}
.tile-n,.fact-n{font-size:24px;font-weight:700;line-height:1.2;font-variant-numeric:tabular-nums}
.tile-l,.fact-l{font-size:12.5px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em;font-weight:600}
.tile.sev-critical{background:var(--crit-bg)}.tile.sev-critical .tile-n{color:var(--crit)}
.tile.sev-high{background:var(--high-bg)}.tile.sev-high .tile-n{color:var(--high)}
.tile.sev-medium{background:var(--med-bg)}.tile.sev-medium .tile-n{color:var(--med)}
.tile.sev-low{background:var(--low-bg)}.tile.sev-low .tile-n{color:var(--low)}
.tile.zero{opacity:.55}
.fact{background:transparent;border:1px dashed var(--line)}
.notes{margin:0 0 18px}
.note{margin:0 0 8px;padding:10px 14px;border-radius:8px;background:var(--soft);color:var(--muted);font-size:14px}
.note.warn{background:var(--med-bg);color:var(--fg);border-left:4px solid var(--med)}
.charts{display:grid;grid-template-columns:minmax(0,1.35fr) minmax(0,1fr);gap:18px;margin-bottom:22px}
.chart{margin:0;padding:16px 18px 14px}
.chart figcaption{font-weight:650;margin-bottom:10px;display:flex;align-items:baseline;gap:10px}
.sub-cap{font-weight:650;margin:16px 0 10px}
.seg.conf-bar{fill:var(--accent)}
.hint{font-weight:400;color:var(--muted);font-size:12.5px}
.svg-chart{display:block;height:auto;overflow:visible}
.svg-chart .lbl{fill:var(--fg);font:13px var(--sans)}
.svg-chart .num{fill:var(--muted);font:600 12.5px var(--sans)}
.svg-chart .hit{fill:transparent}
.svg-chart .track{fill:var(--soft)}
.svg-chart .bar{cursor:pointer;outline:none}
.svg-chart .bar:hover .hit,.svg-chart .bar:focus-visible .hit{fill:var(--soft)}
.seg.sev-critical,.sw.sev-critical{fill:var(--crit);background:var(--crit)}
.seg.sev-high,.sw.sev-high{fill:var(--high);background:var(--high)}
.seg.sev-medium,.sw.sev-medium{fill:var(--med);background:var(--med)}
.seg.sev-low,.sw.sev-low{fill:var(--low);background:var(--low)}
.seg.sev-unknown,.sw.sev-unknown{fill:var(--unk);background:var(--unk)}
.legend{display:flex;gap:14px;flex-wrap:wrap;margin-top:8px;font-size:12.5px;color:var(--muted)}
.lg{display:inline-flex;align-items:center;gap:6px}
.sw{display:inline-block;width:10px;height:10px;border-radius:3px}
.findings{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 0 8px}
.section-head{display:flex;align-items:baseline;gap:12px;padding:0 20px 12px}
.count{color:var(--muted);font-size:14px;font-variant-numeric:tabular-nums}
.toolbar{padding:0 20px 14px;border-bottom:1px solid var(--line);display:flex;flex-direction:column;gap:12px}
.chips{display:flex;flex-wrap:wrap;gap:8px}
.chip{position:relative;display:inline-flex;align-items:center;gap:7px;padding:5px 12px;border:1px solid var(--line);border-radius:999px;cursor:pointer;font-size:14px;font-weight:550;user-select:none;background:var(--card)}
.chip input{position:absolute;opacity:0;width:1px;height:1px}
.chip .sw{width:9px;height:9px;border-radius:50%}
.chip.sev-critical .sw{background:var(--crit)}.chip.sev-high .sw{background:var(--high)}.chip.sev-medium .sw{background:var(--med)}.chip.sev-low .sw{background:var(--low)}.chip.sev-unknown .sw{background:var(--unk)}
.chip.sev-critical:has(input:checked){background:var(--crit-bg);border-color:var(--crit)}
.chip.sev-high:has(input:checked){background:var(--high-bg);border-color:var(--high)}
.chip.sev-medium:has(input:checked){background:var(--med-bg);border-color:var(--med)}
.chip.sev-low:has(input:checked){background:var(--low-bg);border-color:var(--low)}
.chip.sev-unknown:has(input:checked){background:var(--unk-bg);border-color:var(--unk)}
.chip:has(input:not(:checked)){color:var(--muted);text-decoration:line-through}
.chip:has(input:focus-visible){outline:2px solid var(--accent);outline-offset:2px}
.chip.zero{opacity:.5}
.chip-n{font-variant-numeric:tabular-nums;color:var(--muted);font-weight:500}
.fields{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-end}
.field{display:flex;flex-direction:column;gap:3px;min-width:0}
.field.grow{flex:1 1 220px}
.field-l{font-size:11.5px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:650}
select,input[type=search],button{font:inherit;font-size:14px;color:var(--fg)}
select,input[type=search]{height:34px;border:1px solid var(--line);border-radius:8px;background:var(--card);padding:0 10px;max-width:260px}
input[type=search]{max-width:none;width:100%}
select:focus,input:focus{outline:2px solid var(--accent);outline-offset:-1px}
.reset{height:34px;padding:0 14px;border:1px solid var(--line);border-radius:8px;background:var(--soft);cursor:pointer}
.reset:hover{border-color:var(--muted)}
.thead,.row{display:grid;grid-template-columns:100px 112px minmax(0,1fr) 86px minmax(0,190px) minmax(0,220px);gap:12px;align-items:center;padding:0 20px}
.thead{padding-top:10px;padding-bottom:8px;border-bottom:1px solid var(--line);font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:650}
.th,.th-in{all:unset;cursor:pointer;font:inherit;color:inherit;text-transform:inherit;letter-spacing:inherit}
.th:focus-visible,.th-in:focus-visible{outline:2px solid var(--accent)}
.thead .c-main{flex-direction:row;align-items:center}
.th-sep{margin:0 6px}
[data-dir=asc]::after{content:" \\2191";color:var(--accent)}
[data-dir=desc]::after{content:" \\2193";color:var(--accent)}
.list{min-height:40px}
.finding{border-bottom:1px solid var(--line)}
.row{all:unset;box-sizing:border-box;display:grid;grid-template-columns:100px 112px minmax(0,1fr) 86px minmax(0,190px) minmax(0,220px);gap:12px;align-items:center;width:100%;padding:11px 20px;cursor:pointer;border-left:4px solid transparent}
.row:hover{background:var(--soft)}
.row:focus-visible{outline:2px solid var(--accent);outline-offset:-2px}
.finding.sev-critical .row{border-left-color:var(--crit)}.finding.sev-high .row{border-left-color:var(--high)}.finding.sev-medium .row{border-left-color:var(--med)}.finding.sev-low .row{border-left-color:var(--low)}.finding.sev-unknown .row{border-left-color:var(--unk)}
.finding.open .row{background:var(--soft)}
.badge{display:inline-block;padding:2px 9px;border-radius:999px;font-size:12.5px;font-weight:650;letter-spacing:.02em}
.badge.sev-critical{background:var(--crit);color:#fff}
.badge.sev-high{background:var(--high-bg);color:var(--high);box-shadow:inset 0 0 0 1px var(--high)}
.badge.sev-medium{background:var(--med-bg);color:var(--med);box-shadow:inset 0 0 0 1px var(--med)}
.badge.sev-low{background:var(--low-bg);color:var(--low);box-shadow:inset 0 0 0 1px var(--low)}
.badge.sev-unknown{background:var(--unk-bg);color:var(--unk)}
.conf{font-size:13.5px;color:var(--muted);white-space:nowrap}
.dots{letter-spacing:1px;margin-right:6px;color:var(--fg)}
.c-main{min-width:0;display:flex;flex-direction:column;gap:1px}
.title{font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.where{font:12.5px var(--mono);color:var(--muted);overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.tags{display:flex;gap:6px;flex-wrap:wrap}
.tag{font-size:11.5px;padding:0 7px;border-radius:5px;background:var(--soft);color:var(--muted);border:1px solid var(--line)}
.c-cwe{font:13px var(--mono);white-space:nowrap}
.c-pillar,.c-rule{font-size:13px;color:var(--muted);overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.c-rule{font-family:var(--mono);font-size:12.5px}
.thead .th,.thead .th-in{font:inherit;color:inherit;white-space:nowrap;overflow:visible}
.detail{padding:4px 24px 22px 24px;border-top:1px dashed var(--line);background:var(--card)}
.message{font-size:15.5px;margin:14px 0}
.message code,.inl code,.step-note code{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:0 4px}
.explain{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:14px 28px;margin:16px 0}
.explain p,.fix p{margin:0}
.fix{margin:18px 0}
.llm{margin:0 0 14px;padding:10px 14px;border-radius:8px;background:var(--soft);border-left:4px solid var(--accent)}
.llm p{margin:0}
.ba{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:14px;margin-top:10px}
.code{margin:0;border:1px solid var(--line);border-radius:9px;background:var(--code-bg);overflow:hidden}
.code figcaption{display:flex;justify-content:space-between;gap:12px;padding:6px 12px;border-bottom:1px solid var(--line);font:12.5px var(--mono);color:var(--muted);background:var(--soft)}
.code figcaption .cap-l{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.code.before figcaption{color:var(--crit)}
.code.after figcaption{color:#15803d}
.code-body{overflow-x:auto;padding:6px 0;font:13px/1.6 var(--mono);tab-size:4}
.cl{display:flex;white-space:pre;min-width:max-content}
.cl .ln{flex:none;width:4.2em;padding-right:1em;text-align:right;color:var(--code-gutter);user-select:none}
.cl .ln::before{content:attr(data-n)}
.cl .lc{padding-right:16px}
.cl.hl{background:var(--code-hl)}
.cl.hl .ln{color:var(--fg);font-weight:600;box-shadow:inset 3px 0 0 var(--mark-line)}
.cl.ctx{opacity:.62}
mark.hit{background:var(--mark);color:inherit;border-radius:2px;text-decoration:underline wavy var(--mark-line);text-decoration-skip-ink:none;text-underline-offset:3px}
.esc{color:var(--crit);background:var(--crit-bg);border-radius:3px;padding:0 1px}
.nosrc{font-style:italic;color:var(--muted);font-family:var(--sans)}
.tk{color:var(--tk);font-weight:600}.ts{color:var(--ts)}.tc{color:var(--tc);font-style:italic}.tn{color:var(--tn)}.tb{color:var(--tb)}.tf{color:var(--tf);font-weight:600}.td{color:var(--td)}
.flow{margin:18px 0;border:1px solid var(--line);border-radius:10px;padding:0 16px}
.flow>summary{cursor:pointer;padding:10px 0;font-weight:650}
.flow>summary .sub{font-weight:400;color:var(--muted);margin-left:8px;font-size:14px}
.steps{list-style:none;margin:0 0 14px;padding:0;counter-reset:none}
.step{display:grid;grid-template-columns:30px minmax(0,1fr);gap:12px;position:relative;padding-bottom:14px}
.step:not(:last-child)::before{content:"";position:absolute;left:14px;top:28px;bottom:0;border-left:2px solid var(--line)}
.step-n{width:28px;height:28px;border-radius:50%;display:flex;align-items:center;justify-content:center;font-weight:700;font-size:13px;background:var(--soft);border:2px solid var(--line);position:relative}
.step-source .step-n{border-color:var(--high);color:var(--high)}
.step-sink .step-n{border-color:var(--crit);color:#fff;background:var(--crit)}
.step-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:8px;margin:3px 0 4px}
.kind{font-size:11.5px;text-transform:uppercase;letter-spacing:.06em;font-weight:700;color:var(--muted)}
.loc{font:13px var(--mono)}
.step-note{color:var(--muted);font-size:14px}
.step .code{margin-top:4px}
.code:target,.code.flash{animation:flash 1.4s ease-out}
@keyframes flash{0%{box-shadow:0 0 0 3px var(--accent)}100%{box-shadow:0 0 0 0 transparent}}
.meta{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 16px;margin:16px 0 0;font-size:14px}
.meta dt{color:var(--muted);font-weight:600}
.meta dd{margin:0;overflow-wrap:anywhere}
.meta ul{margin:0;padding-left:18px}
.empty{padding:26px 20px;color:var(--muted);text-align:center;margin:0}
.more{padding:12px 20px;text-align:center}
.more button{padding:6px 16px;border:1px solid var(--line);border-radius:8px;background:var(--soft);cursor:pointer}
.diagnostics{margin-top:22px;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:6px 20px}
.diagnostics summary{cursor:pointer;padding:10px 0;list-style-position:outside}
.diagnostics summary h2{display:inline;font-size:17px}
.table-wrap{overflow-x:auto;margin-bottom:12px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.lvl{font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.05em}
.lvl-error{color:var(--crit)}.lvl-warning{color:var(--med)}
@media (max-width:980px){.charts{grid-template-columns:1fr}.thead{display:none}
.row{grid-template-columns:96px minmax(0,1fr);grid-template-areas:"sev main" "conf main" "cwe rule";row-gap:4px}
.row .c-sev{grid-area:sev}.row .c-conf{grid-area:conf}.row .c-main{grid-area:main}.row .c-cwe{grid-area:cwe}.row .c-rule{grid-area:rule}.row .c-pillar{display:none}
main{padding:16px}.top{padding:12px 16px}}
@media print{.toolbar,.thead,.more,.hint{display:none}.findings,.card,.verdict{border:0}body{background:#fff}}
`;

// ---------------------------------------------------------------------------------------------
// The inline script. Static text (hashed into the CSP); it reads the JSON block and builds the
// list with DOM APIs and textContent only. Written without backticks or dollar-brace so it can
// live in String.raw.

export const SCRIPT = String.raw`
(function () {
  'use strict';
  var dataEl = document.getElementById('secreview-data');
  var listEl = document.getElementById('list');
  if (!dataEl || !listEl) { document.body.setAttribute('data-state', 'ready'); return; }
  var data = JSON.parse(dataEl.textContent || '{}');
  var findings = Array.isArray(data.findings) ? data.findings : [];
  var byN = new Map();
  findings.forEach(function (f) { byN.set(f.n, f); });
  var rules = new Map();
  (Array.isArray(data.rules) ? data.rules : []).forEach(function (r) { rules.set(r.id, r); });
  var sources = new Map(Object.entries(data.sources && typeof data.sources === 'object' ? data.sources : {}));

  var SEV_RANK = new Map([['critical', 4], ['high', 3], ['medium', 2], ['low', 1]]);
  var CONF_RANK = new Map([['high', 3], ['medium', 2], ['low', 1]]);
  var SEV_CLASS = new Set(['critical', 'high', 'medium', 'low']);
  var STEP_KINDS = new Set(['source', 'step', 'call', 'return', 'sink']);
  var CHUNK = 100;
  var UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

  function rank(map, key) { return map.has(key) ? map.get(key) : 0; }
  function sevClass(s) { return SEV_CLASS.has(s) ? s : 'unknown'; }
  function cap(s) { s = String(s); return s.charAt(0).toUpperCase() + s.slice(1); }
  function escapeChar(ch) {
    var c = ch.charCodeAt(0);
    return c <= 0xff ? '\\x' + ('0' + c.toString(16)).slice(-2) : '\\u' + ('000' + c.toString(16)).slice(-4);
  }
  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (txt !== undefined && txt !== null) appendClean(e, String(txt));
    return e;
  }
  /** Text with control and bidi characters shown as visible escapes (never interpreted). */
  function appendClean(parent, s, cls) {
    var target = parent;
    if (cls) { target = document.createElement('span'); target.className = cls; parent.appendChild(target); }
    UNSAFE.lastIndex = 0;
    var last = 0, m;
    while ((m = UNSAFE.exec(s))) {
      if (m.index > last) target.appendChild(document.createTextNode(s.slice(last, m.index)));
      var esc = document.createElement('span');
      esc.className = 'esc';
      esc.title = 'U+' + ('000' + m[0].charCodeAt(0).toString(16).toUpperCase()).slice(-4);
      esc.textContent = escapeChar(m[0]);
      target.appendChild(esc);
      last = m.index + m[0].length;
    }
    if (last < s.length) target.appendChild(document.createTextNode(s.slice(last)));
  }
  /** Prose where backtick spans (how messages quote code) become code elements. */
  function inline(parent, s) {
    s = String(s || '');
    var parts = s.split('\u0060');
    if (parts.length % 2 === 0) { appendClean(parent, s); return parent; }
    parts.forEach(function (p, i) {
      if (i % 2 === 0) appendClean(parent, p);
      else { var c = document.createElement('code'); appendClean(c, p); parent.appendChild(c); }
    });
    return parent;
  }
  function safeUrl(s) {
    try {
      var u = new URL(String(s));
      if (u.protocol === 'https:' || u.protocol === 'http:') return u.href;
    } catch (e) { /* not a URL */ }
    return null;
  }
  function extLink(href, label) {
    var a = el('a', null, label);
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    return a;
  }

  // --- Python syntax highlighting: a small tokenizer over the whole text, split into lines. ---
  var KW = new Set('False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '));
  var BI = new Set('abs all any bool bytes callable chr compile dict dir divmod enumerate eval exec filter float format getattr globals hasattr hash hex id input int isinstance issubclass iter len list locals map max min next object oct open ord pow print property range repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip self cls __import__'.split(' '));
  var TOKEN = /(#[^\n]*)|((?:[rRbBuUfF]{1,2})?(?:'''[\s\S]*?(?:'''|$)|"""[\s\S]*?(?:"""|$)|'(?:[^'\\\n]|\\[\s\S])*'?|"(?:[^"\\\n]|\\[\s\S])*"?))|(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)|([A-Za-z_\u00aa-\uffff][\w\u00aa-\uffff]*)|(\s+)|([\s\S])/y;
  function tokenize(text) {
    var lines = [[]];
    var re = TOKEN;
    re.lastIndex = 0;
    var expectName = false, deco = false, m;
    while (re.lastIndex < text.length && (m = re.exec(text))) {
      var t = m[0], cls = '';
      if (m[1] !== undefined) cls = 'tc';
      else if (m[2] !== undefined) cls = 'ts';
      else if (m[3] !== undefined) cls = 'tn';
      else if (m[4] !== undefined) {
        if (expectName) { cls = 'tf'; expectName = false; }
        else if (deco) { cls = 'td'; }
        else if (KW.has(t)) { cls = 'tk'; expectName = t === 'def' || t === 'class'; }
        else if (BI.has(t)) cls = 'tb';
      } else if (m[6] !== undefined) {
        if (t === '@') { cls = 'td'; deco = true; } else if (t !== '.') { deco = false; expectName = false; }
      }
      if (m[5] !== undefined && t.indexOf('\n') >= 0) deco = false;
      var parts = t.split('\n');
      for (var i = 0; i < parts.length; i++) {
        if (i > 0) lines.push([]);
        if (parts[i]) lines[lines.length - 1].push([cls, parts[i]]);
      }
    }
    return lines;
  }
  var tokCache = new Map();
  function sourceTokens(path) {
    if (!sources.has(path)) return null;
    if (!tokCache.has(path)) {
      var text = String(sources.get(path));
      tokCache.set(path, { raw: text.split('\n'), tokens: tokenize(text) });
    }
    return tokCache.get(path);
  }

  /** One code line: gutter number, highlighted tokens, and the [from, to) range marked. */
  function codeLine(num, tokens, from, to, cls) {
    var row = el('div', 'cl' + (cls ? ' ' + cls : ''));
    var ln = el('span', 'ln');
    if (num !== null) ln.setAttribute('data-n', String(num));
    row.appendChild(ln);
    var lc = el('span', 'lc');
    row.appendChild(lc);
    var off = 0, mark = null;
    tokens.forEach(function (tk) {
      var s = tk[1], start = off, end = off + s.length;
      off = end;
      var cuts = [start];
      if (from > start && from < end) cuts.push(from);
      if (to > start && to < end) cuts.push(to);
      cuts.push(end);
      for (var i = 0; i + 1 < cuts.length; i++) {
        var a = cuts[i], b = cuts[i + 1];
        var piece = s.slice(a - start, b - start);
        var parent = lc;
        if (from < to && a >= from && b <= to) {
          if (!mark) { mark = el('mark', 'hit'); lc.appendChild(mark); }
          parent = mark;
        }
        appendClean(parent, piece, tk[0]);
      }
    });
    if (!tokens.length) lc.appendChild(document.createTextNode(' '));
    return row;
  }

  var MAX_RANGE_LINES = 40;
  /**
   * The code at a location with some lines around it, from the embedded source when it is there
   * (and still matches the snippet), else from the snippet, else the bare expression.
   */
  function codeFigure(loc, before, after, snippet, fallbackExpr, caption, extraClass, id) {
    var fig = el('figure', 'code' + (extraClass ? ' ' + extraClass : ''));
    if (id) { fig.id = id; fig.tabIndex = -1; }
    var capEl = el('figcaption');
    capEl.appendChild(el('span', 'cap-l', caption));
    if (caption !== null) fig.appendChild(capEl);
    var body = el('div', 'code-body');
    fig.appendChild(body);
    var src = loc.path ? sourceTokens(loc.path) : null;
    var snipLines = snippet ? snippet.split('\n') : [];
    if (src && loc.line <= src.raw.length && (!snipLines.length || src.raw[loc.line - 1] === snipLines[0])) {
      var first = Math.max(1, loc.line - before);
      var lastRange = Math.min(loc.endLine, loc.line + MAX_RANGE_LINES);
      var last = Math.min(src.raw.length, lastRange + after);
      for (var n = first; n <= last; n++) body.appendChild(rangeLine(n, src.tokens[n - 1] || [], src.raw[n - 1] || '', loc));
      if (loc.endLine > lastRange) body.appendChild(codeLine(null, [['nosrc', '\u2026 continues to line ' + loc.endLine]], 0, 0, ''));
      capEl.appendChild(el('span', null, 'line ' + loc.line));
    } else if (snipLines.length) {
      var toks = tokenize(snippet);
      toks.forEach(function (t, i) { body.appendChild(rangeLine(loc.line + i, t, snipLines[i] || '', loc)); });
      capEl.appendChild(el('span', null, 'snippet \u00b7 line ' + loc.line));
    } else {
      var expr = String(fallbackExpr || '');
      var line = expr.split('\n')[0];
      body.appendChild(codeLine(loc.line, tokenize(line)[0] || [], 0, line.length, 'hl'));
      capEl.appendChild(el('span', null, 'line ' + loc.line));
    }
    return fig;
  }
  function rangeLine(n, tokens, raw, loc) {
    if (n < loc.line || n > loc.endLine) return codeLine(n, tokens, 0, 0, 'ctx');
    var from = n === loc.line ? loc.col - 1 : 0;
    var to = n === loc.endLine ? loc.endCol - 1 : raw.length;
    if (loc.line === loc.endLine && to <= from) to = from + 1;
    return codeLine(n, tokens, from, to, 'hl');
  }
  function locOf(x) { return { path: x.path, line: x.line, col: x.col, endLine: x.endLine, endCol: x.endCol }; }
  function whereOf(x) { return x.path + ':' + x.line + ':' + x.col; }

  // --- A finding's details (built on first expand). ---
  function buildDetail(f) {
    var d = el('div', 'detail-body');
    d.appendChild(inline(el('p', 'message'), f.message));
    if (f.llmNote) {
      var llm = el('section', 'llm');
      llm.appendChild(el('h3', null, 'LLM second opinion'));
      llm.appendChild(inline(el('p', 'inl'), f.llmNote));
      d.appendChild(llm);
    }
    d.appendChild(codeFigure(locOf(f), 3, 3, f.snippet, '', f.path, 'main-code', 'f' + f.n + '-code'));
    var rule = rules.get(f.ruleId);
    var explain = el('div', 'explain');
    if (rule && rule.description) explain.appendChild(section('What is wrong', rule.description));
    if (rule && rule.whyItMatters) explain.appendChild(section('Why it matters', rule.whyItMatters));
    if (explain.childNodes.length) d.appendChild(explain);

    var fix = el('section', 'fix');
    fix.appendChild(el('h3', null, 'How to fix'));
    fix.appendChild(inline(el('p', 'inl'), f.fix || (rule && rule.fix ? rule.fix.guidance : '') || ''));
    if (rule && rule.fix && (rule.fix.before || rule.fix.after)) {
      var ba = el('div', 'ba');
      if (rule.fix.before) ba.appendChild(plainCode(rule.fix.before, 'Before', 'before'));
      if (rule.fix.after) ba.appendChild(plainCode(rule.fix.after, 'After', 'after'));
      fix.appendChild(ba);
    }
    d.appendChild(fix);

    if (Array.isArray(f.trace) && f.trace.length) d.appendChild(buildTrace(f));
    if (Array.isArray(f.related) && f.related.length) d.appendChild(buildTrace({ n: f.n + '-r', trace: f.related, title: 'Related locations', summary: f.related.length + (f.related.length === 1 ? ' place' : ' places') + ': the other access, the calls and the entry point' }));
    d.appendChild(buildMeta(f, rule));
    return d;
  }
  function section(title, body) {
    var s = el('section');
    s.appendChild(el('h3', null, title));
    s.appendChild(inline(el('p', 'inl'), body));
    return s;
  }
  function plainCode(text, caption, cls) {
    var fig = el('figure', 'code ' + cls);
    var capEl = el('figcaption');
    capEl.appendChild(el('span', 'cap-l', caption));
    fig.appendChild(capEl);
    var body = el('div', 'code-body');
    tokenize(text).forEach(function (t, i) { body.appendChild(codeLine(i + 1, t, 0, 0, '')); });
    fig.appendChild(body);
    return fig;
  }
  function buildTrace(f) {
    var det = el('details', 'flow');
    det.open = true;
    var sum = el('summary', null, f.title || 'Data flow');
    var first = f.trace[0], last = f.trace[f.trace.length - 1];
    sum.appendChild(el('span', 'sub', f.summary || (f.trace.length + (f.trace.length === 1 ? ' step' : ' steps') + ': ' + (first.expression || first.kind) + ' \u2192 ' + (last.expression || last.kind))));
    det.appendChild(sum);
    var ol = el('ol', 'steps');
    f.trace.forEach(function (s, i) {
      var id = 'f' + f.n + '-s' + (i + 1);
      var kind = STEP_KINDS.has(s.kind) ? s.kind : 'step';
      var li = el('li', 'step step-' + kind);
      li.appendChild(el('span', 'step-n', String(i + 1)));
      var body = el('div', 'step-body');
      var head = el('div', 'step-head');
      head.appendChild(el('span', 'kind', s.kind));
      var a = el('a', 'loc', whereOf(s));
      a.href = '#' + id;
      a.addEventListener('click', function (ev) { ev.preventDefault(); jumpTo(id); });
      head.appendChild(a);
      if (s.note) head.appendChild(inline(el('span', 'step-note'), s.note));
      body.appendChild(head);
      body.appendChild(codeFigure(locOf(s), 1, 1, '', s.expression, null, 'step-code', id));
      li.appendChild(body);
      ol.appendChild(li);
    });
    det.appendChild(ol);
    return det;
  }
  function jumpTo(id) {
    var target = document.getElementById(id);
    if (!target) return;
    target.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
    target.classList.remove('flash');
    void target.offsetWidth;
    target.classList.add('flash');
  }
  function buildMeta(f, rule) {
    var dl = el('dl', 'meta');
    function row(label, content) {
      dl.appendChild(el('dt', null, label));
      var dd = el('dd');
      if (typeof content === 'string') appendClean(dd, content); else dd.appendChild(content);
      dl.appendChild(dd);
    }
    row('Rule', el('code', null, f.ruleId));
    if (f.cwe && f.cwe.length) {
      var span = el('span');
      f.cwe.forEach(function (c, i) {
        if (i > 0) span.appendChild(document.createTextNode(', '));
        span.appendChild(extLink('https://cwe.mitre.org/data/definitions/' + Number(c.id) + '.html', 'CWE-' + Number(c.id)));
        if (c.name) appendClean(span, ' ' + c.name);
      });
      row('CWE', span);
    }
    if (f.pillar && f.pillar.id > 0) {
      var p = el('span');
      p.appendChild(extLink('https://cwe.mitre.org/data/definitions/' + Number(f.pillar.id) + '.html', 'CWE-' + Number(f.pillar.id)));
      appendClean(p, ' ' + (f.pillar.name || ''));
      row('Pillar', p);
    } else row('Pillar', (f.pillar && f.pillar.name) || 'unknown');
    row('Severity', cap(f.severity) + ' \u00b7 ' + f.confidence + ' confidence');
    row('Location', whereOf(f));
    row('Origin', f.origin);
    if (f.baseline !== undefined) row('Baseline', f.baseline);
    if (f.fingerprint) row('Fingerprint', el('code', null, f.fingerprint));
    if (rule && Array.isArray(rule.references) && rule.references.length) {
      var ul = el('ul');
      rule.references.forEach(function (r) {
        var li = el('li');
        var href = safeUrl(r);
        if (href) li.appendChild(extLink(href, r)); else appendClean(li, r);
        ul.appendChild(li);
      });
      row('References', ul);
    }
    return dl;
  }

  // --- The list: filter and sort in memory, render in chunks as the reader scrolls. ---
  var sortKey = 'severity', sortDir = 'desc';
  var order = [], shown = 0;
  var expanded = new Set();
  var moreEl = document.getElementById('more');
  var moreBtn = document.getElementById('more-btn');
  var emptyEl = document.getElementById('empty');
  var countEl = document.getElementById('count');
  var total = findings.length;

  function $(id) { return document.getElementById(id); }
  function val(id) { var e = $(id); return e ? e.value : ''; }
  function haystack(f) {
    if (f._h === undefined) {
      f._h = [f.path, f.title, f.ruleId, f.message, f.snippet, (f.cwe || []).map(function (c) { return 'CWE-' + c.id + ' ' + c.name; }).join(' '), f.pillar ? f.pillar.name : ''].join('\n').toLowerCase();
    }
    return f._h;
  }
  function currentFilter() {
    var sev = new Set();
    document.querySelectorAll('input[name=severity]').forEach(function (i) { if (i.checked) sev.add(i.value); });
    return {
      sev: sev, conf: val('f-confidence'), pillar: val('f-pillar'), cwe: val('f-cwe'), rule: val('f-rule'),
      origin: val('f-origin'), baseline: val('f-baseline'), q: val('f-q').trim().toLowerCase()
    };
  }
  function matches(f, q) {
    if (!q.sev.has(f.severity)) return false;
    if (q.conf && f.confidence !== q.conf) return false;
    if (q.pillar && String(f.pillar ? f.pillar.id : 0) !== q.pillar) return false;
    if (q.cwe && String(f.cwe && f.cwe[0] ? f.cwe[0].id : 0) !== q.cwe) return false;
    if (q.rule && f.ruleId !== q.rule) return false;
    if (q.origin && f.origin !== q.origin) return false;
    if (q.baseline && f.baseline !== q.baseline) return false;
    if (q.q && haystack(f).indexOf(q.q) < 0) return false;
    return true;
  }
  function cmpStr(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  var KEYS = {
    severity: function (a, b) { return rank(SEV_RANK, a.severity) - rank(SEV_RANK, b.severity); },
    confidence: function (a, b) { return rank(CONF_RANK, a.confidence) - rank(CONF_RANK, b.confidence); },
    title: function (a, b) { return cmpStr(a.title, b.title); },
    file: function (a, b) { return cmpStr(a.path, b.path) || a.line - b.line || a.col - b.col; },
    cwe: function (a, b) { return ((a.cwe && a.cwe[0] ? a.cwe[0].id : 0) - (b.cwe && b.cwe[0] ? b.cwe[0].id : 0)); },
    pillar: function (a, b) { return cmpStr(a.pillar ? a.pillar.name : '', b.pillar ? b.pillar.name : ''); },
    rule: function (a, b) { return cmpStr(a.ruleId, b.ruleId); }
  };
  function apply() {
    var q = currentFilter();
    var picked = [];
    for (var i = 0; i < findings.length; i++) if (matches(findings[i], q)) picked.push(findings[i]);
    var key = KEYS[sortKey] || KEYS.severity;
    var sign = sortDir === 'asc' ? 1 : -1;
    picked.sort(function (a, b) { return sign * key(a, b) || a.n - b.n; });
    order = picked;
    shown = 0;
    listEl.textContent = '';
    renderMore();
    countEl.textContent = (order.length === total ? '' : order.length.toLocaleString('en-US') + ' of ') + total.toLocaleString('en-US') + (total === 1 ? ' finding' : ' findings');
    emptyEl.hidden = order.length !== 0;
    document.querySelectorAll('[data-sort]').forEach(function (b) {
      if (b.getAttribute('data-sort') === sortKey) b.setAttribute('data-dir', sortDir); else b.removeAttribute('data-dir');
      b.setAttribute('aria-pressed', b.getAttribute('data-sort') === sortKey ? 'true' : 'false');
    });
  }
  function renderMore() {
    var frag = document.createDocumentFragment();
    var end = Math.min(order.length, shown + CHUNK);
    for (var i = shown; i < end; i++) frag.appendChild(row(order[i]));
    listEl.appendChild(frag);
    shown = end;
    moreBtn.hidden = shown >= order.length;
    if (observer) { observer.unobserve(moreEl); if (shown < order.length) observer.observe(moreEl); }
  }
  function row(f) {
    var sc = sevClass(f.severity);
    var art = el('article', 'finding sev-' + sc);
    art.setAttribute('data-n', String(f.n));
    var btn = el('button', 'row');
    btn.type = 'button';
    btn.setAttribute('aria-expanded', 'false');
    btn.setAttribute('aria-controls', 'd' + f.n);
    var c1 = el('span', 'c-sev');
    c1.appendChild(el('span', 'badge sev-' + sc, cap(f.severity)));
    var c2 = el('span', 'c-conf conf');
    var cr = rank(CONF_RANK, f.confidence);
    c2.appendChild(el('span', 'dots', '\u25cf\u25cf\u25cf'.slice(0, cr) + '\u25cb\u25cb\u25cb'.slice(0, 3 - cr)));
    appendClean(c2, f.confidence);
    var c3 = el('span', 'c-main');
    c3.appendChild(el('span', 'title', f.title || f.ruleId));
    c3.appendChild(el('span', 'where', whereOf(f)));
    if (f.origin !== 'static' || f.baseline !== undefined) {
      var tags = el('span', 'tags');
      if (f.origin !== 'static') tags.appendChild(el('span', 'tag', 'origin: ' + f.origin));
      if (f.baseline !== undefined) tags.appendChild(el('span', 'tag', 'baseline: ' + f.baseline));
      c3.appendChild(tags);
    }
    var primary = f.cwe && f.cwe[0];
    var c4 = el('span', 'c-cwe', primary ? 'CWE-' + primary.id : '\u2014');
    if (primary) c4.title = primary.name;
    var c5 = el('span', 'c-pillar', f.pillar ? f.pillar.name : '');
    if (f.pillar) c5.title = 'CWE-' + f.pillar.id + ' ' + f.pillar.name;
    var c6 = el('span', 'c-rule', f.ruleId);
    c6.title = f.ruleId;
    [c1, c2, c3, c4, c5, c6].forEach(function (c) { btn.appendChild(c); });
    art.appendChild(btn);
    var detail = el('div', 'detail');
    detail.id = 'd' + f.n;
    detail.hidden = true;
    art.appendChild(detail);
    btn.addEventListener('click', function () { toggle(art, f); });
    if (expanded.has(f.n)) toggle(art, f, true);
    return art;
  }
  function toggle(art, f, forceOpen) {
    var btn = art.firstChild, detail = art.lastChild;
    var open = forceOpen === true || detail.hidden;
    if (open && !detail.firstChild) detail.appendChild(buildDetail(f));
    detail.hidden = !open;
    btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    art.classList.toggle('open', open);
    if (open) expanded.add(f.n); else expanded.delete(f.n);
  }

  var observer = typeof IntersectionObserver === 'function'
    ? new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; }) && shown < order.length) renderMore();
      }, { rootMargin: '1200px 0px' })
    : null;
  moreBtn.addEventListener('click', renderMore);

  ['f-confidence', 'f-pillar', 'f-cwe', 'f-rule', 'f-origin', 'f-baseline'].forEach(function (id) {
    var e = $(id);
    if (e) e.addEventListener('change', apply);
  });
  document.querySelectorAll('input[name=severity]').forEach(function (i) { i.addEventListener('change', apply); });
  var qTimer = 0;
  var qEl = $('f-q');
  if (qEl) qEl.addEventListener('input', function () { clearTimeout(qTimer); qTimer = setTimeout(apply, 120); });
  var resetEl = $('f-reset');
  if (resetEl) resetEl.addEventListener('click', function () {
    document.querySelectorAll('#toolbar select').forEach(function (s) { s.value = ''; });
    document.querySelectorAll('input[name=severity]').forEach(function (i) { i.checked = true; });
    if (qEl) qEl.value = '';
    apply();
  });
  document.querySelectorAll('[data-sort]').forEach(function (b) {
    b.addEventListener('click', function () {
      var key = b.getAttribute('data-sort');
      if (key === sortKey) sortDir = sortDir === 'asc' ? 'desc' : 'asc';
      else { sortKey = key; sortDir = key === 'severity' || key === 'confidence' ? 'desc' : 'asc'; }
      apply();
    });
  });
  function chartAction(g) {
    var pillar = g.getAttribute('data-pillar');
    var sev = g.getAttribute('data-severity');
    var conf = g.getAttribute('data-confidence');
    if (conf !== null) { var c = $('f-confidence'); if (c) c.value = c.value === conf ? '' : conf; }
    if (pillar !== null) { var s = $('f-pillar'); if (s) s.value = s.value === pillar ? '' : pillar; }
    if (sev !== null) {
      var boxes = document.querySelectorAll('input[name=severity]');
      var only = Array.prototype.every.call(boxes, function (i) { return i.checked === (i.value === sev); });
      boxes.forEach(function (i) { i.checked = only || i.value === sev; });
    }
    apply();
    $('findings').scrollIntoView({ block: 'start' });
  }
  document.querySelectorAll('.svg-chart .bar').forEach(function (g) {
    g.addEventListener('click', function () { chartAction(g); });
    g.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); chartAction(g); } });
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === '/' && qEl && document.activeElement !== qEl && !(document.activeElement instanceof HTMLInputElement) && !(document.activeElement instanceof HTMLSelectElement)) {
      ev.preventDefault();
      qEl.focus();
    }
  });

  apply();
  document.body.setAttribute('data-state', 'ready');
  if (performance && performance.mark) performance.mark('secreview-interactive');
})();
`;
