import { getEnv } from "../env";
import { getServices } from "../services";
import { handleFailureCallback, type FailureCallbackDeps } from "./failure-callback";
import { createVerifier, type Verifier } from "./verify";

/** POST handler for QStash failure callbacks; `onFirstFailure` adds follow-up work. */
export function createFailureCallbackRoute(onFirstFailure?: FailureCallbackDeps["onFirstFailure"]) {
  let verify: Verifier | undefined;
  return async function POST(request: Request): Promise<Response> {
    const env = getEnv();
    verify ??= createVerifier({
      currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY,
      nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY,
    });
    return handleFailureCallback(request, { services: getServices(), verify, onFirstFailure });
  };
}
