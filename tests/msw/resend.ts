import { http, HttpResponse } from "msw";

export interface ResendReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Resend's /emails endpoint answering from a queue of replies (default: success). */
export function resendHandlers(baseUrl: string, replies: ResendReply[] = []) {
  const sent: Array<{ headers: Record<string, string>; body: Record<string, unknown> }> = [];
  const handlers = [
    http.post(`${baseUrl}/emails`, async ({ request }) => {
      sent.push({
        headers: Object.fromEntries(request.headers.entries()),
        body: (await request.json()) as Record<string, unknown>,
      });
      const reply = replies.shift() ?? { status: 200, body: { id: `email_${sent.length}` } };
      return HttpResponse.json(reply.body as never, { status: reply.status, headers: reply.headers });
    }),
  ];
  return { handlers, sent };
}
