import Router from '@koa/router';
import { exec, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as store from '../services/store.mjs';
import { notePage, escapeHtml } from '../services/render.mjs';
import { parseEvernote, readAttachment, unpackBundle } from '../services/importer.mjs';

const run = promisify(exec);
const runFile = promisify(execFile);
const router = new Router({ prefix: '/notes' });
const COLUMNS = ['title', 'created_at', 'updated_at'];

router.get('/tag/:tag', async (ctx) => {
  // vuln: sqli
  ctx.body = await store.notesByTag(ctx.params.tag);
});

router.get('/sorted', async (ctx) => {
  // vuln: sqli
  ctx.body = await store.sortedNotes(ctx.query.column, ctx.query.dir);
});

router.get('/sorted-safe', async (ctx) => {
  const column = COLUMNS.includes(ctx.query.column) ? ctx.query.column : 'title';
  const dir = ctx.query.dir === 'desc' ? 'DESC' : 'ASC';
  // safe: sqli
  ctx.body = await store.sortedNotes(column, dir);
});

router.get('/:id', async (ctx) => {
  const note = await store.noteById(ctx.params.id);
  ctx.type = 'html';
  // vuln: xss
  ctx.body = notePage(note, ctx.query.highlight);
});

router.get('/:id/plain', async (ctx) => {
  const note = await store.noteById(ctx.params.id);
  ctx.type = 'html';
  // safe: xss
  ctx.body = notePage(note, escapeHtml(ctx.query.highlight ?? ''));
});

router.get('/:id/title', async (ctx) => {
  ctx.type = 'text/html';
  // vuln: xss
  ctx.body = `<title>${ctx.query.title}</title>`;
});

router.put('/:id', async (ctx) => {
  // safe: sqli
  await store.renameNote(ctx.params.id, ctx.request.body.title);
  ctx.status = 204;
});

router.get('/:id/attachments/:name', async (ctx) => {
  // vuln: path
  ctx.body = await readAttachment(ctx.params.name);
});

router.post('/import', async (ctx) => {
  // vuln: xxe
  ctx.body = parseEvernote(ctx.request.body.xml);
});

router.post('/import/bundle', async (ctx) => {
  await unpackBundle(ctx.request.body.path);
  ctx.status = 201;
});

router.post('/export', async (ctx) => {
  // vuln: cmdi
  const { stdout } = await run(`pandoc -f markdown -t ${ctx.request.body.format} /tmp/note.md`);
  ctx.body = stdout;
});

router.post('/export-safe', async (ctx) => {
  const format = ['html', 'pdf', 'docx'].includes(ctx.request.body.format) ? ctx.request.body.format : 'html';
  // safe: cmdi
  const { stdout } = await runFile('pandoc', ['-f', 'markdown', '-t', format, '/tmp/note.md']);
  ctx.body = stdout;
});

router.get('/go', async (ctx) => {
  // vuln: redirect
  ctx.redirect(ctx.query.to);
});

router.get('/go-home', async (ctx) => {
  const to = new URL(ctx.query.to, 'https://notes.example');
  if (to.origin !== 'https://notes.example') return ctx.redirect('/');
  // safe: redirect
  ctx.redirect(to.pathname);
});

router.get('/search', async (ctx) => {
  // vuln: redos
  const re = new RegExp(ctx.query.pattern, 'i');
  ctx.body = (await store.notesByTag('all')).filter((n) => re.test(n.title));
});

router.get('/search-literal', async (ctx) => {
  const escaped = String(ctx.query.pattern).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // safe: redos
  const re = new RegExp(escaped, 'i');
  ctx.body = { source: re.source };
});

router.post('/calc', async (ctx) => {
  // vuln: code-injection
  ctx.body = { value: Function(`"use strict"; return (${ctx.request.body.expr})`)() };
});

router.post('/remind', async (ctx) => {
  // vuln: code-injection
  setTimeout('notify("' + ctx.request.body.message + '")', 1000);
  ctx.status = 202;
});

export default router;
