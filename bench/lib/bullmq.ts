import { performance } from "node:perf_hooks";
import { Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { startRedisServer, type RedisServerProcess } from "@/local/redis/redis-server";

/** Workers' jobs at once: the same as the local QStash's deliveries in flight. */
export const BULLMQ_CONCURRENCY = 100;

export interface BullBaseline {
  /** ms from the first add until `count` jobs completed. */
  burst(count: number): Promise<number>;
  /** Adds one job every `intervalMs`; ms from each add call to that job's completion. */
  steady(count: number, intervalMs: number): Promise<number[]>;
  /** Bytes of redis-server memory per delayed job, measured with INFO memory around `count` adds. */
  bytesPerDelayedJob(count: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * BullMQ on a throwaway redis-server, the usual self-hosted way to run background
 * jobs in Node.js: a producer and a worker (no-op processor, like the `test` job's
 * echo) in this process, jobs removed on completion.
 */
export async function startBullBaseline(): Promise<BullBaseline> {
  const server: RedisServerProcess = await startRedisServer();
  const connection = () => new Redis(server.url, { maxRetriesPerRequest: null });
  const connections = [connection(), connection()];
  const name = `bench-${process.pid}`;
  const queue = new Queue(name, {
    connection: connections[0]!,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
  });
  const finished = new Map<string, number>();
  let completed = 0;
  let onCompleted: (() => void) | undefined;
  const worker = new Worker(name, async (job: Job<{ message: string }>) => ({ echoed: job.data.message }), {
    connection: connections[1]!,
    concurrency: BULLMQ_CONCURRENCY,
  });
  worker.on("completed", (job) => {
    completed++;
    if (job.id) finished.set(job.id, performance.now());
    onCompleted?.();
  });
  await worker.waitUntilReady();
  const until = (count: number, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`BullMQ: ${completed} of ${count} jobs completed after ${timeoutMs} ms`)),
        timeoutMs,
      );
      onCompleted = () => {
        if (completed < count) return;
        clearTimeout(timer);
        onCompleted = undefined;
        resolve();
      };
      onCompleted();
    });

  return {
    async burst(count) {
      const target = completed + count;
      const start = performance.now();
      for (let offset = 0; offset < count; offset += 100) {
        await queue.addBulk(
          Array.from({ length: Math.min(100, count - offset) }, (_, i) => ({
            name: "test",
            data: { message: `bullmq ${offset + i}` },
          })),
        );
      }
      await until(target, 60_000);
      return performance.now() - start;
    },
    async steady(count, intervalMs) {
      const added = new Map<string, number>();
      const target = completed + count;
      const start = performance.now();
      for (let i = 0; i < count; i++) {
        const due = start + i * intervalMs;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const at = performance.now();
        const job = await queue.add("test", { message: `steady ${i}` });
        added.set(job.id!, at);
      }
      await until(target, 60_000);
      return [...added].map(([id, at]) => finished.get(id)! - at);
    },
    async bytesPerDelayedJob(count) {
      const probe = connection();
      const used = async () => Number(/used_memory:(\d+)/.exec(await probe.info("memory"))![1]);
      const delayed = new Queue(`${name}-delayed`, { connection: probe });
      const before = await used();
      for (let offset = 0; offset < count; offset += 100) {
        await delayed.addBulk(
          Array.from({ length: 100 }, (_, i) => ({
            name: "test",
            data: { message: `benchmark message ${offset + i}` },
            opts: { delay: 3_600_000 },
          })),
        );
      }
      const bytes = ((await used()) - before) / count;
      await delayed.obliterate({ force: true });
      await delayed.close();
      probe.disconnect();
      return bytes;
    },
    async close() {
      await worker.close();
      await queue.close();
      for (const client of connections) client.disconnect();
      await server.stop();
    },
  };
}
