import { describe, expect, test } from "vitest";
import { readBodyWithin } from "@/lib/job-runtime";

const utf8 = new TextEncoder();

/** A POST whose body arrives in these chunks, without a Content-Length (chunked). */
function streamed(chunks: Uint8Array[]): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Request("http://app.test/api/jobs/test", { method: "POST", body, duplex: "half" } as RequestInit);
}

describe("readBodyWithin", () => {
  test("reads a body that arrives whole", async () => {
    const request = new Request("http://app.test/api/jobs/test", { method: "POST", body: '{"message":"héllo"}' });
    expect(await readBodyWithin(request, 1024)).toEqual({ ok: true, text: '{"message":"héllo"}' });
  });

  test("joins chunks before decoding, so a character split between two chunks survives", async () => {
    const bytes = utf8.encode('{"message":"€uro"}');
    const euro = bytes.indexOf(0xe2);
    const chunks = [bytes.slice(0, euro + 1), bytes.slice(euro + 1, euro + 2), bytes.slice(euro + 2)];
    expect(await readBodyWithin(streamed(chunks), 1024)).toEqual({ ok: true, text: '{"message":"€uro"}' });
  });

  test("stops a chunked body as soon as it passes the limit", async () => {
    const chunks = [utf8.encode("x".repeat(600)), utf8.encode("x".repeat(600))];
    expect(await readBodyWithin(streamed(chunks), 1000)).toEqual({ ok: false, reason: "too_large" });
  });

  test("refuses a declared Content-Length over the limit before reading", async () => {
    const request = new Request("http://app.test/api/jobs/test", {
      method: "POST",
      body: "x".repeat(2000),
      headers: { "content-length": "2000" },
    });
    expect(await readBodyWithin(request, 1000)).toEqual({ ok: false, reason: "declared_too_large" });
  });

  test("an empty body is empty text", async () => {
    expect(await readBodyWithin(new Request("http://app.test/", { method: "POST" }), 1000)).toEqual({ ok: true, text: "" });
    expect(await readBodyWithin(streamed([]), 1000)).toEqual({ ok: true, text: "" });
  });
});
