import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { email, startTestResend, useTestResend } from "@/tests/helpers/local-resend";

describe("local Resend: inbox page", () => {
  const ctx = useTestResend();

  it("lists captured mail newest first with recipient, subject, time, idempotency key and tags", async () => {
    const { client, server, clock } = ctx();
    await client().emails.send(email({ subject: "First subject" }));
    await clock.advance(60_000);
    await client().emails.send(
      email({ subject: "Second subject", to: "ada@example.com", tags: [{ name: "job", value: "welcome" }] }),
      {
        idempotencyKey: "welcome/ada",
      },
    );
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html.indexOf("Second subject")).toBeGreaterThan(-1);
    expect(html.indexOf("Second subject")).toBeLessThan(html.indexOf("First subject"));
    expect(html).toContain("ada@example.com");
    expect(html).toContain("welcome/ada");
    expect(html).toContain("job=welcome");
    expect(html).toContain(new Date(clock.now()).toISOString());
  });

  it("renders one email with its HTML in a sandboxed srcdoc iframe and its text", async () => {
    const { client, server } = ctx();
    const sent = await client().emails.send(
      email({
        subject: "Reset <your> password",
        html: '<p class="x">Click <a href="https://example.com">here</a></p><script>alert(1)</script>',
        text: "Plain & simple",
      }),
    );
    const response = await fetch(`${server.url}/inbox/${sent.data!.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain("Reset &lt;your&gt; password");
    expect(html).toMatch(/<iframe[^>]*sandbox=""[^>]*srcdoc="&lt;p class=&quot;x&quot;&gt;Click/);
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("<pre>Plain &amp; simple</pre>");
  });

  it("escapes hostile subjects in the list", async () => {
    const { client, server } = ctx();
    await client().emails.send(email({ subject: '<img src=x onerror="alert(1)">' }));
    const html = await (await fetch(`${server.url}/`)).text();
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });

  it("answers 404 for an unknown email page", async () => {
    const response = await fetch(`${ctx().server.url}/inbox/nope`);
    expect(response.status).toBe(404);
  });
});

describe("local Resend: control endpoints", () => {
  const ctx = useTestResend();

  it("GET /__emails returns captured mail, optionally filtered by recipient; DELETE clears it", async () => {
    const { client, server } = ctx();
    await client().emails.send(email({ to: "a@example.com" }));
    await client().emails.send(email({ to: "b@example.com" }), { idempotencyKey: "k-b" });
    const all = (await (await fetch(`${server.url}/__emails`)).json()) as Array<{ to: string[]; idempotencyKey: string | null }>;
    expect(all.map((e) => e.to)).toEqual([["a@example.com"], ["b@example.com"]]);
    const onlyB = (await (await fetch(`${server.url}/__emails?to=b@example.com`)).json()) as typeof all;
    expect(onlyB).toHaveLength(1);
    expect(onlyB[0]?.idempotencyKey).toBe("k-b");
    const one = await fetch(`${server.url}/__emails/${server.emails()[0]!.id}`);
    expect(await one.json()).toMatchObject({ to: ["a@example.com"] });

    const cleared = await fetch(`${server.url}/__emails`, { method: "DELETE" });
    expect(await cleared.json()).toEqual({ deleted: 2 });
    expect(server.emails()).toEqual([]);
  });

  it("reset() clears mail, idempotency keys, rate-limit windows and faults", async () => {
    const { client, server } = ctx();
    await client().emails.send(email(), { idempotencyKey: "k" });
    server.faults.set({ failNext: 5 });
    server.reset();
    expect(server.emails()).toEqual([]);
    expect(server.faults.get()).toEqual({});
    const again = await client().emails.send(email({ subject: "Other payload" }), { idempotencyKey: "k" });
    expect(again.error).toBeNull();
  });
});

describe("local Resend: persistence", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("keeps captured mail in the data file across restarts", async () => {
    dir = mkdtempSync(join(tmpdir(), "local-resend-"));
    const dataFile = join(dir, "nested", "resend.json");
    const first = await startTestResend({ dataFile });
    const sent = await first.client().emails.send(email({ subject: "Survives restarts" }), { idempotencyKey: "k" });
    await first.server.close();
    expect(JSON.parse(readFileSync(dataFile, "utf8"))).toMatchObject({ version: 1, emails: [{ subject: "Survives restarts" }] });

    const second = await startTestResend({ dataFile });
    try {
      expect(second.server.emails().map((e) => e.id)).toEqual([sent.data!.id]);
      expect((await second.client().emails.get(sent.data!.id)).data?.subject).toBe("Survives restarts");
    } finally {
      await second.server.close();
    }
  });
});
