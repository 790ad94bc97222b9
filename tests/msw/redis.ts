import { http, HttpResponse } from "msw";

/**
 * Records every request the Upstash Redis client makes. Used where a test must
 * prove that *no* Redis command was sent; any command gets a 500 so it can't pass silently.
 */
export function redisRecorder(baseUrl: string) {
  const requests: Array<{ path: string; body: unknown }> = [];
  const handlers = [
    http.post(`${baseUrl}/*`, async ({ request }) => {
      requests.push({ path: new URL(request.url).pathname, body: await request.json() });
      return HttpResponse.json({ error: "this test expects no Redis traffic" }, { status: 500 });
    }),
    http.post(baseUrl, async ({ request }) => {
      requests.push({ path: "/", body: await request.json() });
      return HttpResponse.json({ error: "this test expects no Redis traffic" }, { status: 500 });
    }),
  ];
  return { handlers, requests };
}
