import * as z from "zod/mini";

/**
 * The user an email job writes to, as sign-up and the report request record them.
 * `generate-report` takes it from the requester and hands it on to
 * `report-ready-email`: one shape, so a payload one job accepts the next can't refuse.
 */
export const recipientShape = {
  userId: z.string().check(z.minLength(1)),
  email: z.email(),
  name: z.string().check(z.minLength(1), z.maxLength(200)),
};
