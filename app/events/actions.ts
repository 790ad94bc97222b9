"use server";

import { redirect } from "next/navigation";
import { cancelEvent, createEvent, moveEvent, type EventResult } from "@/lib/flows/reminders";
import { zonedLocalToUtc } from "@/lib/events/time";
import { getServices } from "@/lib/services";
import { currentUser } from "../signin/session-cookie";

async function signedInUser() {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/events");
  return user;
}

function done(result: EventResult): never {
  redirect(result.ok ? "/events" : `/events?error=${encodeURIComponent(result.message)}`);
}

/** The form's wall-clock time is read in the user's own time zone. */
function startsAt(form: FormData, timeZone: string): number {
  return zonedLocalToUtc(String(form.get("startsAt") ?? ""), timeZone) ?? Number.NaN;
}

export async function createEventAction(form: FormData): Promise<void> {
  const user = await signedInUser();
  done(await createEvent(getServices(), { userId: user.id, title: form.get("title"), startsAt: startsAt(form, user.timeZone) }));
}

export async function moveEventAction(form: FormData): Promise<void> {
  const user = await signedInUser();
  const eventId = String(form.get("eventId") ?? "");
  done(await moveEvent(getServices(), { userId: user.id, eventId, startsAt: startsAt(form, user.timeZone) }));
}

export async function cancelEventAction(form: FormData): Promise<void> {
  const user = await signedInUser();
  done(await cancelEvent(getServices(), { userId: user.id, eventId: String(form.get("eventId") ?? "") }));
}
