import { describe, expect, it } from "vitest";
import { MinHeap } from "@/local/qstash/min-heap";

describe("MinHeap", () => {
  const byValue = () => new MinHeap<{ at: number; seq: number }>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));

  it("pops in order, ties in insertion order, whatever order they were pushed in", () => {
    const heap = byValue();
    const items = Array.from({ length: 500 }, (_, seq) => ({ at: (seq * 7919) % 37, seq }));
    for (const item of [...items].reverse()) heap.push(item);
    const popped: typeof items = [];
    while (heap.size > 0) popped.push(heap.pop()!);
    expect(popped).toEqual([...items].sort((a, b) => a.at - b.at || a.seq - b.seq));
    expect(heap.pop()).toBeUndefined();
  });

  it("retain drops items and keeps the order of the rest", () => {
    const heap = byValue();
    for (let seq = 0; seq < 100; seq++) heap.push({ at: 100 - seq, seq });
    heap.retain((item) => item.seq % 3 === 0);
    const ats: number[] = [];
    while (heap.size > 0) ats.push(heap.pop()!.at);
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
    expect(ats).toHaveLength(34);
  });
});
