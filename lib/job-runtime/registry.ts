import type { AnyRunnableJob } from "./define-job";

/** Jobs by name, built from a list so each name is written once: in its `defineJob`. */
export type JobRegistry<Jobs extends readonly AnyRunnableJob[] = readonly AnyRunnableJob[]> = {
  readonly [Job in Jobs[number] as Job["name"]]: Job;
};

/** Any registry, as the route and the failure callback see it. */
export type AnyJobRegistry = Readonly<Record<string, AnyRunnableJob>>;

/**
 * Builds the registry from jobs that can run: written with their handler, or
 * wrapped in `lazyJob` so the handler loads on first use. Two jobs with one
 * name are a start-up error, not a silent overwrite.
 */
export function createJobRegistry<const Jobs extends readonly AnyRunnableJob[]>(list: Jobs): JobRegistry<Jobs> {
  const registry: Record<string, AnyRunnableJob> = Object.create(null);
  for (const job of list) {
    if (registry[job.name]) throw new Error(`two jobs are named "${job.name}"`);
    registry[job.name] = job;
  }
  return Object.freeze(registry) as JobRegistry<Jobs>;
}

/** The registered job of that name, or undefined (never an inherited property such as `constructor`). */
export function findJob(registry: AnyJobRegistry, name: string): AnyRunnableJob | undefined {
  return Object.hasOwn(registry, name) ? registry[name] : undefined;
}
