import type { CapturedEmail } from "@/local/resend/server";
import type { TestStack } from "../../../harness/stack";

/** Resolves with the first captured email to `to` whose subject matches, already sent or still to come. */
export function waitForEmail(stack: TestStack, to: string, subject: RegExp = /./): Promise<CapturedEmail> {
  const match = (email: CapturedEmail) => email.to.includes(to) && subject.test(email.subject);
  const already = stack.resend.emails().find(match);
  if (already) return Promise.resolve(already);
  return new Promise((resolve) => {
    const onEmail = (email: CapturedEmail) => {
      if (!match(email)) return;
      stack.resend.events.off("email", onEmail);
      resolve(email);
    };
    stack.resend.events.on("email", onEmail);
  });
}
