/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 (random port) answering
 * `POST /v1/chat/completions` with recorded replies, for tests. Started and stopped by the test.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeReply =
  /** A completion with this content. */
  | { content: string; finishReason?: string; usage?: { prompt: number; completion: number } }
  /** An HTTP error. */
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Wait, then answer (a reply slower than the client's timeout). */
  | { delayMs: number; then: FakeReply };

export interface RecordedRequest {
  body: {
    model: string;
    messages: { role: string; content: string }[];
    response_format?: { type: string; json_schema?: { name: string; schema: unknown; strict?: boolean } };
    max_tokens?: number;
    temperature?: number;
  };
  headers: Record<string, string | string[] | undefined>;
}

export interface FakeServer {
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** `replies` is called with the request and its 0-based number; it decides the answer. */
export async function startFakeServer(replies: (request: RecordedRequest, n: number) => FakeReply): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const answer = (res: ServerResponse, reply: FakeReply, model: string): void => {
    if (res.destroyed) return;
    if ('delayMs' in reply) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer(res, reply.then, model);
      }, reply.delayMs);
      timers.add(timer);
      return;
    }
    if ('status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(JSON.stringify(reply.body ?? { error: { message: `fake error ${reply.status}`, type: 'server_error' } }));
      return;
    }
    const usage = reply.usage ?? { prompt: 1000, completion: 100 };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: `chatcmpl-fake-${requests.length}`,
        object: 'chat.completion',
        created: 1_700_000_000,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: reply.finishReason ?? 'stop' }],
        usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
      }),
    );
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      const request: RecordedRequest = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: req.headers };
      const n = requests.length;
      requests.push(request);
      answer(res, replies(request, n), request.body.model);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Always the same reply. */
export const always =
  (reply: FakeReply) =>
  (): FakeReply =>
    reply;

/** Replies in order; the last one repeats. */
export const sequence =
  (...replies: FakeReply[]) =>
  (_r: RecordedRequest, n: number): FakeReply =>
    replies[Math.min(n, replies.length - 1)]!;
