import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@upstash/qstash";
import { verifySignatureAppRouter } from "@upstash/qstash/nextjs";
import { describe, expect, it } from "vitest";
import { serveFetch } from "@/harness/http";
import { DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, DEV_TOKEN, useTestQStash } from "@/tests/helpers/local-qstash";

/** Compound durations are valid on the wire; the SDK's type only spells single units, so widen it. */
const COMPOUND_DELAY = "1h30m" as `${bigint}m`;

// §14 items 9, 10 and 25: what arrives at the destination, and that the SDK's
// own verifiers accept it.

describe("local QStash: deliveries", () => {
  const ctx = useTestQStash();

  it("§14.9 delivers the §3.1 headers, strips Upstash-Forward- and keeps the body bytes", async () => {
    const { client, server, receiver, at } = ctx();
    const body = '{"b":  "spacing kept", "unicode": "é ✓"}';
    const { messageId } = await client.publish({
      url: at("/hook?x=1&y=two"),
      body,
      headers: { "Content-Type": "application/json; charset=utf-8", "X-Request-Id": "req-1", Authorization: "Bearer downstream" },
      method: "PUT",
    });
    await server.idle();
    expect(receiver.deliveries).toHaveLength(1);
    const [delivery] = receiver.deliveries;
    expect(delivery!.method).toBe("PUT");
    expect(delivery!.path).toBe("/hook?x=1&y=two");
    expect(delivery!.body).toBe(body);
    expect(delivery!.bytes.equals(Buffer.from(body))).toBe(true);
    expect(delivery!.headers).toMatchObject({
      "content-type": "application/json; charset=utf-8",
      "x-request-id": "req-1",
      authorization: "Bearer downstream",
      "user-agent": "Upstash-QStash",
      "upstash-message-id": messageId,
      "upstash-retried": "0",
      "upstash-caller-ip": "127.0.0.1",
    });
    expect(Object.keys(delivery!.headers).filter((name) => name.startsWith("upstash-forward-"))).toEqual([]);
    expect(delivery!.headers["upstash-telemetry-sdk"]).toBeUndefined();
  });

  it("§14.9 sends binary bodies unchanged", async () => {
    const { client, server, receiver, at } = ctx();
    const bytes = Buffer.from([0, 255, 128, 10, 13, 0xc3]);
    await client.publish({ url: at("/bin"), body: new Blob([bytes]), headers: { "Content-Type": "application/octet-stream" } });
    await server.idle();
    expect(receiver.deliveries[0]!.bytes.equals(bytes)).toBe(true);
  });

  it("§14.10 signs an HS256 JWT: sub is the delivered URL, exp = iat + 300, padded base64url body hash, current key", async () => {
    const { client, server, receiver, at, clock } = ctx();
    const url = at("/signed?q=a%20b");
    // Fast-forward first: signatures carry wall-clock time, not the stack clock's.
    await server.advance(60 * 60 * 1000);
    const before = Math.floor(Date.now() / 1000);
    await client.publishJSON({ url, body: { hello: "world" } });
    await server.idle();
    const after = Math.floor(Date.now() / 1000);
    const [delivery] = receiver.deliveries;
    const [header, , signature] = delivery!.headers["upstash-signature"]!.split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "HS256", typ: "JWT" });
    const iat = Number(delivery!.claims.iat);
    expect(iat).toBeGreaterThanOrEqual(before);
    expect(iat).toBeLessThanOrEqual(after);
    expect(iat).toBeLessThan(Math.floor(clock.now() / 1000));
    expect(delivery!.claims).toMatchObject({ iss: "Upstash", sub: url, iat, nbf: iat, exp: iat + 300 });
    expect(delivery!.claims.jti).toMatch(/^jwt_/);
    expect(delivery!.claims.body).toBe("k6I5cakU5erL8KjSUVTNownDwccvu5kU1Hxg88toFYg=");
    const { createHmac } = await import("node:crypto");
    const [h, p] = delivery!.headers["upstash-signature"]!.split(".");
    expect(createHmac("sha256", DEV_CURRENT_SIGNING_KEY).update(`${h}.${p}`).digest("base64url")).toBe(signature);
  });

  it("delivers to URL-group endpoints with Upstash-Topic-Name, each signed for its own URL", async () => {
    const { client, server, receiver, at } = ctx();
    await client.urlGroups.addEndpoints({ name: "fanout", endpoints: [{ url: at("/a"), name: "a" }, { url: at("/b") }] });
    await client.publishJSON({ urlGroup: "fanout", body: { n: 1 } });
    await server.idle();
    expect(receiver.deliveries.map((delivery) => delivery.path).sort()).toEqual(["/a", "/b"]);
    for (const delivery of receiver.deliveries) {
      expect(delivery.headers["upstash-topic-name"]).toBe("fanout");
      expect(delivery.claims.sub).toBe(delivery.url);
    }
  });

  it("honours delay and not-before on the server clock", async () => {
    const { client, server, receiver, at, clock } = ctx();
    const start = clock.now();
    await client.publish({ url: at("/delayed"), body: "d", delay: COMPOUND_DELAY });
    await client.publish({ url: at("/not-before"), body: "n", notBefore: Math.floor(start / 1000) + 600 });
    await server.idle();
    expect(receiver.deliveries).toEqual([]);
    await server.advance(600_000);
    expect(receiver.deliveries.map((delivery) => delivery.path)).toEqual(["/not-before"]);
    expect(receiver.deliveries[0]!.at).toBe(Math.floor(start / 1000) * 1000 + 600_000);
    await server.advance(90 * 60_000 - 600_000 - 1);
    expect(receiver.deliveries).toHaveLength(1);
    await server.advance(1);
    expect(receiver.to("/delayed")).toHaveLength(1);
    expect(receiver.to("/delayed")[0]!.at).toBe(start + 90 * 60_000);
  });

  it("§14.25 publishJSON reaches a route wrapped in verifySignatureAppRouter, which answers 200", async () => {
    const { client, server } = ctx();
    const seen: unknown[] = [];
    const handler = verifySignatureAppRouter(
      async (request: Request) => {
        seen.push(await request.json());
        return Response.json({ ok: true });
      },
      { currentSigningKey: DEV_CURRENT_SIGNING_KEY, nextSigningKey: DEV_NEXT_SIGNING_KEY },
    );
    const app = await serveFetch(handler);
    try {
      const { messageId } = await client.publishJSON({ url: `${app.url}/api/qstash`, body: { hello: "route" } });
      const delivered = ctx().nextEvent(
        (event) => event.messageId === messageId && (event.state === "DELIVERED" || event.state === "ERROR"),
      );
      await server.idle();
      expect((await delivered).state).toBe("DELIVERED");
      expect(seen).toEqual([{ hello: "route" }]);
    } finally {
      await app.close();
    }
  });
});

describe("local QStash: SDK dev mode", () => {
  it("§14.1/§14.25 QSTASH_DEV round trip on 127.0.0.1:8080 (only when that port is free)", async (test) => {
    const { startQStashServer } = await import("@/local/qstash/server");
    const port = Number(process.env.QSTASH_DEV_PORT) || 8080;
    if (!(await portIsFree(port)))
      return test.skip(`port ${port} is in use, so the SDK's dev mode can't reach a server started here`);
    const server = await startQStashServer({ port, dataFile: null });
    const received: string[] = [];
    const handler = verifySignatureAppRouter(
      async (request: Request) => {
        received.push(await request.text());
        return new Response("ok");
      },
      { devMode: true },
    );
    const app = await serveFetch(handler);
    try {
      // devMode swaps in the dev URL, token and keys and probes GET /v2/keys first.
      const client = new Client({ devMode: true, enableTelemetry: false, token: "ignored-in-dev-mode" });
      const { messageId } = await client.publishJSON({ url: `${app.url}/api/dev`, body: { dev: true } });
      await server.idle();
      expect(messageId).toMatch(/^msg_/);
      expect(received).toEqual(['{"dev":true}']);
      const keys = await fetch(`http://127.0.0.1:${port}/v2/keys`, { headers: { authorization: `Bearer ${DEV_TOKEN}` } }).then(
        (r) => r.json(),
      );
      expect(keys).toEqual({ current: DEV_CURRENT_SIGNING_KEY, next: DEV_NEXT_SIGNING_KEY });
    } finally {
      await app.close();
      await server.close();
    }
  });
});

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => {
      const { port: bound } = probe.address() as AddressInfo;
      probe.close(() => resolve(bound === port));
    });
  });
}
