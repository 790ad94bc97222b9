export default function Home() {
  return (
    <section>
      <h1>Acme</h1>
      <p>
        Background jobs on Vercel with Upstash QStash: signed deliveries, typed payloads, idempotent runs and a dead-letter queue
        you can replay.
      </p>
      <p>
        <a href="/signup">Create an account</a> — the welcome email is sent by a background job.
      </p>
    </section>
  );
}
