/** Messages between the bench and the stack process (bench/lib/stack-child.ts). */
import type { Stamp } from "./delivery-trace";

export type ChildRequest =
  | { type: "blast"; url: string; bodies: string[] }
  | { type: "profile-start" }
  | { type: "profile-stop" }
  | { type: "idle" }
  | { type: "cpu" }
  | { type: "trace-start" }
  | { type: "trace-stop" }
  | { type: "stop" };

export type ChildReply =
  | { type: "ready"; env: Record<string, string> }
  | { type: "blasted"; ms: number; failures: number; reasons: string[] }
  | { type: "profiling" }
  | { type: "profile"; profile: CpuProfile }
  | { type: "idle" }
  | { type: "cpu"; ms: number }
  | { type: "tracing" }
  | { type: "trace"; stamps: Stamp[] };

/** The parts of a V8 `.cpuprofile` the summary reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}
