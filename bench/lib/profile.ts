import type { CpuProfile } from "./stack-protocol";

export interface ProfileShare {
  /** A package, a file of ours, or one of V8's pseudo-frames. */
  where: string;
  /** Share of the non-idle samples whose innermost frame is here. */
  share: number;
}

/**
 * Where a CPU profile's time went, by self time: innermost frames grouped by
 * package (node_modules/<name>), by our own file (local/…, lib/…), as Node's
 * internals, or as V8's garbage collector and (program). Idle time is left out.
 */
export function summarizeProfile(profile: CpuProfile, top = 12): { shares: ProfileShare[]; busyMs: number } {
  const nodeWhere = new Map<number, string>();
  for (const node of profile.nodes) nodeWhere.set(node.id, placeOf(node.callFrame));
  const counts = new Map<string, number>();
  let busy = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let busyUs = 0;
  samples.forEach((id, index) => {
    const where = nodeWhere.get(id) ?? "(unknown)";
    if (where === "(idle)") return;
    busy++;
    busyUs += deltas[index] ?? 0;
    counts.set(where, (counts.get(where) ?? 0) + 1);
  });
  const shares = [...counts.entries()]
    .map(([where, count]) => ({ where, share: count / Math.max(1, busy) }))
    .sort((a, b) => b.share - a.share)
    .slice(0, top);
  return { shares, busyMs: busyUs / 1_000 };
}

function placeOf(frame: { functionName: string; url: string }): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return `node: ${url.slice(5).split("/").slice(0, 2).join("/")}`;
  const ours = /\/((?:local|lib|bench|tests)\/.+?)(?:\?.*)?$/.exec(url);
  return ours ? ours[1]! : url;
}
