import { describe, expect, it } from "vitest";
import { useTestQStash } from "@/tests/helpers/local-qstash";

// §14 item 21 and §10 URL groups.

describe("local QStash: URL groups", () => {
  const ctx = useTestQStash();

  it("§14.21 addEndpoints creates the group; get and list have the §10 shape", async () => {
    const { client, at, clock } = ctx();
    await client.urlGroups.addEndpoints({ name: "team", endpoints: [{ url: at("/a"), name: "alpha" }, { url: at("/b") }] });
    await client.urlGroups.addEndpoints({ name: "team", endpoints: [{ url: at("/c") }] });
    const group = await client.urlGroups.get("team");
    expect(group).toEqual({
      name: "team",
      createdAt: clock.now(),
      updatedAt: clock.now(),
      endpoints: [{ name: "alpha", url: at("/a") }, { url: at("/b") }, { url: at("/c") }],
    });
    expect((await client.urlGroups.list()).map((item) => item.name)).toEqual(["team"]);
  });

  it("§14.21 removeEndpoints sends a JSON body with name and/or url; an emptied group disappears", async () => {
    const { client, api, at } = ctx();
    await client.urlGroups.addEndpoints({ name: "shrink", endpoints: [{ url: at("/a"), name: "alpha" }, { url: at("/b") }] });
    await client.urlGroups.removeEndpoints({ name: "shrink", endpoints: [{ name: "alpha" }] });
    expect((await client.urlGroups.get("shrink")).endpoints).toEqual([{ url: at("/b") }]);
    await client.urlGroups.removeEndpoints({ name: "shrink", endpoints: [{ url: at("/b") }] });
    expect((await api("/v2/topics/shrink")).status).toBe(404);
    expect(await client.urlGroups.list()).toEqual([]);
  });

  it("§14.21 delete removes a group; publishing to it is then 404", async () => {
    const { client, at } = ctx();
    await client.urlGroups.addEndpoints({ name: "doomed", endpoints: [{ url: at("/a") }] });
    await client.urlGroups.delete("doomed");
    await expect(client.urlGroups.get("doomed")).rejects.toMatchObject({ status: 404 });
    await expect(client.publish({ urlGroup: "doomed", body: "x" })).rejects.toMatchObject({ status: 404 });
    await expect(client.urlGroups.delete("doomed")).rejects.toMatchObject({ status: 404 });
  });

  it("§2.3 a group publish fans out with endpointName, dedup included", async () => {
    const { client, server, receiver, at } = ctx();
    await client.urlGroups.addEndpoints({ name: "fan", endpoints: [{ url: at("/x"), name: "ex" }, { url: at("/y") }] });
    const first = await client.publish({ urlGroup: "fan", body: "1", deduplicationId: "d1" });
    const again = await client.publish({ urlGroup: "fan", body: "1", deduplicationId: "d1" });
    expect(again).toEqual(
      (first as Array<{ messageId: string; url: string }>).map((entry) => ({ ...entry, deduplicated: true })),
    );
    const message = await client.messages.get((first as Array<{ messageId: string }>)[0]!.messageId);
    expect(message).toMatchObject({ topicName: "fan", urlGroup: "fan", endpointName: "ex" });
    await server.idle();
    expect(receiver.deliveries).toHaveLength(2);
  });
});
