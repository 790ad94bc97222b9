import { registry } from "../jobs/registry";
import { getServices, getVerifier } from "../services";
import { handleFailureCallback, type FailureCallbackDeps } from "./failure-callback";
import { createFailureFollowUp } from "./failure-follow-up";

/**
 * POST handler for QStash failure callbacks. By default a dead message also
 * marks the user's email log entry failed and alerts ADMIN_EMAIL once.
 */
export function createFailureCallbackRoute(
  onFirstFailure: FailureCallbackDeps["onFirstFailure"] = createFailureFollowUp({ registry }),
) {
  return async function POST(request: Request): Promise<Response> {
    return handleFailureCallback(request, { services: getServices(), verify: getVerifier(), onFirstFailure });
  };
}
