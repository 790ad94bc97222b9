"use server";

import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { markRead } from "@/lib/notifications/store";
import { notifyUser } from "@/lib/notifications/notify";
import { getServices } from "@/lib/services";
import { getSessionUserId, SESSION_COOKIE } from "@/lib/sessions";

async function currentUserId(): Promise<string | null> {
  return getSessionUserId(getServices().redis, (await cookies()).get(SESSION_COOKIE)?.value);
}

export async function markReadAction(form: FormData): Promise<void> {
  const userId = await currentUserId();
  if (!userId) return;
  const id = form.get("id");
  const services = getServices();
  await markRead(services.redis, userId, services.clock.now(), typeof id === "string" && id ? [id] : undefined);
  revalidatePath("/notifications");
}

/** Lets people see the whole flow: in-app entry now, email a moment later. */
export async function sendTestNotificationAction(): Promise<void> {
  const userId = await currentUserId();
  if (!userId) return;
  await notifyUser(getServices(), {
    userId,
    title: "Test notification",
    body: "This is what notifications look like, in the app and in your inbox.",
    link: "/notifications",
  });
  revalidatePath("/notifications");
}
