import { isVerified } from "@/lib/users/email-verification";
import { resendVerificationAction } from "./account/verification-actions";
import { currentUser } from "./signin/session-cookie";

/**
 * Shown on every page to a signed-in account whose address isn't confirmed yet,
 * with a plain form (works without JavaScript) to send a new link.
 */
export async function VerifyBanner() {
  const user = await currentUser();
  if (!user || isVerified(user)) return null;
  return (
    <div className="banner" role="status" data-testid="verify-banner">
      Confirm your email address: we sent a link to <strong>{user.email}</strong>. Until then you can't send or accept invites.{" "}
      <form action={resendVerificationAction} style={{ display: "inline" }}>
        <button type="submit" className="secondary">
          Send a new link
        </button>
      </form>
    </div>
  );
}
