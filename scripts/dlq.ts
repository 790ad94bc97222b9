/** `npm run dlq -- list | show | retry | delete`: the dead-letter queue from a terminal. */
import { runDlqCommand } from "./lib/dlq-command";
import { processIo } from "./lib/process-io";

process.exitCode = await runDlqCommand(process.argv.slice(2), processIo());
