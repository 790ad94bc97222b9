import { describe, expect, it } from "vitest";
import { bodyBase64, bodyBytes, storeBody } from "@/local/qstash/body";

describe("stored message bodies", () => {
  it("keep every byte value exactly, one char per byte", () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256));
    const stored = storeBody(bytes);
    expect(stored).toHaveLength(bytes.length);
    expect(bodyBytes(stored).equals(bytes)).toBe(true);
    expect(bodyBase64(stored)).toBe(bytes.toString("base64"));
  });

  it("read only their own bytes out of a Buffer that shares a larger pool", () => {
    const pool = Buffer.from("xxhello worldyy");
    expect(bodyBytes(storeBody(pool.subarray(2, 13))).toString()).toBe("hello world");
  });
});
