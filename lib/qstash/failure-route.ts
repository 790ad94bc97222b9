import { getEnv } from "../env";
import { registry } from "../jobs/registry";
import { getServices } from "../services";
import { handleFailureCallback, type FailureCallbackDeps } from "./failure-callback";
import { createFailureFollowUp } from "./failure-follow-up";
import { createVerifier, type Verifier } from "./verify";

/**
 * POST handler for QStash failure callbacks. By default a dead message also
 * marks the user's email log entry failed and alerts ADMIN_EMAIL once.
 */
export function createFailureCallbackRoute(
  onFirstFailure: FailureCallbackDeps["onFirstFailure"] = createFailureFollowUp({ registry }),
) {
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
