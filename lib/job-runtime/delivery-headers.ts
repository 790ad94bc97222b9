/** What QStash tells the destination about a delivery (spec: delivery contract). */
export interface DeliveryInfo {
  messageId: string | null;
  /** Retries made before this attempt; 0 on the first. */
  retried: number;
  scheduleId: string | null;
}

export function readDeliveryHeaders(headers: Headers): DeliveryInfo {
  const retried = Number.parseInt(headers.get("upstash-retried") ?? "0", 10);
  return {
    messageId: headers.get("upstash-message-id"),
    retried: Number.isFinite(retried) && retried >= 0 ? retried : 0,
    scheduleId: headers.get("upstash-schedule-id"),
  };
}
