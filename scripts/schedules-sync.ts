/** `npm run schedules:sync [-- --dry-run]`: make QStash's schedules match lib/flows/schedules.ts. */
import { processIo } from "./lib/process-io";
import { runSchedulesSync } from "./lib/schedules-command";

process.exitCode = await runSchedulesSync(process.argv.slice(2), processIo());
