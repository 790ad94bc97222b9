import { Receiver } from "@upstash/qstash";
import { base64ToUtf8 } from "./base64";
import { InvalidSignatureError } from "./errors";

export interface SigningKeys {
  currentSigningKey: string;
  nextSigningKey: string;
}

export interface DeliveryToVerify {
  /** `Upstash-Signature` header, or null when absent. */
  signature: string | null;
  /** The raw body text, exactly as received. */
  body: string;
  /** The URL QStash was asked to call; must equal the token's `sub`. */
  expectedUrl: string;
}

/**
 * Framework-free signature check. Rotation works because the Receiver retries
 * with the next key when the current one fails. The `url` check stops a token
 * minted for another endpoint (or another app on the same keys) being replayed here.
 */
/** What a verified signature says about itself: its token id and expiry, for the replay guard. */
export interface VerifiedToken {
  jti: string;
  /** Unix epoch seconds. */
  exp: number;
}

/**
 * The claims of a token the Receiver has already verified (it answers only
 * true/false). Web APIs only, so it runs on Edge too. A token without a usable
 * `jti`/`exp` is refused: every QStash signature carries both.
 */
function verifiedClaims(signature: string): VerifiedToken {
  const start = signature.indexOf(".") + 1;
  const end = signature.indexOf(".", start);
  const base64url = signature.slice(start, end === -1 ? undefined : end);
  const claims = JSON.parse(base64ToUtf8(base64url.replace(/-/g, "+").replace(/_/g, "/"))) as { jti?: unknown; exp?: unknown };
  if (typeof claims.jti !== "string" || claims.jti === "" || typeof claims.exp !== "number") {
    throw new InvalidSignatureError("invalid signature: token has no jti or exp");
  }
  return { jti: claims.jti, exp: claims.exp };
}

export function createVerifier(keys: SigningKeys, options: { clockToleranceSeconds?: number } = {}) {
  // devMode false: the keys we were given are the truth; QSTASH_DEV must not swap them silently.
  const receiver = new Receiver({ ...keys, devMode: false });
  return async function verify(delivery: DeliveryToVerify): Promise<VerifiedToken> {
    if (!delivery.signature) throw new InvalidSignatureError("missing Upstash-Signature header");
    try {
      await receiver.verify({
        signature: delivery.signature,
        body: delivery.body,
        url: delivery.expectedUrl,
        clockTolerance: options.clockToleranceSeconds ?? 0,
      });
    } catch (error) {
      throw new InvalidSignatureError(`invalid signature: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    // Only read after the Receiver checked the signature: these claims are now trusted.
    return verifiedClaims(delivery.signature);
  };
}

export type Verifier = ReturnType<typeof createVerifier>;

/** The verifier for the keys in a parsed environment (both are required there). */
export function verifierFor(env: { QSTASH_CURRENT_SIGNING_KEY: string; QSTASH_NEXT_SIGNING_KEY: string }): Verifier {
  return createVerifier({ currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY, nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY });
}
