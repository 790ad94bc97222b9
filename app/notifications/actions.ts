"use server";

import { revalidatePath } from "next/cache";
import { markRead } from "@/lib/notifications/store";
import { notifyUser } from "@/lib/flows/notify";
import { getServices } from "@/lib/services";
import { currentUser } from "../signin/session-cookie";

export async function markReadAction(form: FormData): Promise<void> {
  const user = await currentUser();
  if (!user) return;
  const id = form.get("id");
  const services = getServices();
  await markRead(services.redis, user.id, services.clock.now(), typeof id === "string" && id ? [id] : undefined);
  revalidatePath("/notifications");
}

/** Lets people see the whole flow: in-app entry now, email a moment later. */
export async function sendTestNotificationAction(): Promise<void> {
  const user = await currentUser();
  if (!user) return;
  await notifyUser(getServices(), {
    userId: user.id,
    title: "Test notification",
    body: "This is what notifications look like, in the app and in your inbox.",
    link: "/notifications",
  });
  revalidatePath("/notifications");
}
