import { startJobRoute, withQuietLogs } from "./lib/fixtures";
import { timed } from "./lib/measure";
const r = await startJobRoute();
await withQuietLogs(async () => {
  for (let b = 0; b < 8; b++) {
    const xs: number[] = [];
    for (let i = 0; i < 100; i++) { const q = r.request(`m_${b}_${i}`); xs.push(await timed(() => r.deliver(q))); }
    xs.sort((a, c) => a - c);
    const g: number[] = [];
    for (let i = 0; i < 50; i++) g.push(await timed(() => r.services.redis.get("x")));
    g.sort((a, c) => a - c);
    console.log(b, xs[50]!.toFixed(2), g[25]!.toFixed(2));
  }
});
await r.close();
