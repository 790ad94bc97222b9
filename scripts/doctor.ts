/** `npm run doctor [-- --url https://… --json]`: checks a deployment or the local setup, one line per check. */
import { runDoctor } from "./lib/doctor/command";
import { processIo } from "./lib/process-io";

process.exitCode = await runDoctor(process.argv.slice(2), processIo());
