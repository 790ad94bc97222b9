import { http, HttpResponse } from "msw";

interface CapturedPublish {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** Records what the official QStash client puts on the wire and answers like QStash. */
export function qstashHandlers(baseUrl: string) {
  const published: CapturedPublish[] = [];
  let counter = 0;
  const capture = async (request: Request) => {
    const entry = {
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers.entries()),
      body: await request.text(),
    };
    published.push(entry);
    return entry;
  };
  const handlers = [
    http.post(`${baseUrl}/v2/publish/*`, async ({ request }) => {
      const entry = await capture(request);
      if (entry.headers["upstash-deduplication-id"] === "seen-before") {
        return HttpResponse.json({ messageId: "msg_original", deduplicated: true }, { status: 202 });
      }
      return HttpResponse.json({ messageId: `msg_${++counter}` });
    }),
    http.post(`${baseUrl}/v2/batch`, async ({ request }) => {
      const entry = await capture(request);
      const items = JSON.parse(entry.body) as unknown[];
      return HttpResponse.json(items.map(() => ({ messageId: `msg_${++counter}` })));
    }),
  ];
  return {
    handlers,
    published,
    /** The single publishes as jobs: the job's name (the URL's last segment), its payload and the headers. */
    jobs: () =>
      published
        .filter((entry) => entry.url.startsWith(`${baseUrl}/v2/publish/`))
        .map((entry) => ({
          job: entry.url.split("/").pop()!,
          payload: JSON.parse(entry.body) as unknown,
          headers: entry.headers,
        })),
    /** Forgets what was published and restarts the message ids at msg_1. */
    reset() {
      published.length = 0;
      counter = 0;
    },
  };
}
