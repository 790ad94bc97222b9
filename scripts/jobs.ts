/** `npm run jobs -- status <messageId> | recent`: job run records from a terminal. */
import { runJobsCommand } from "./lib/jobs-command";
import { processIo } from "./lib/process-io";

process.exitCode = await runJobsCommand(process.argv.slice(2), processIo());
