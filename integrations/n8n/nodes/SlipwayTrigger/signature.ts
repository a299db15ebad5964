import { createHmac, timingSafeEqual } from 'crypto';

/** How far the sender's X-Slipway-Timestamp may be from this clock, either way: five minutes. */
const TOLERANCE_SECONDS = 300;

export interface SignedDelivery {
	secret: string | undefined;
	/** The X-Slipway-Timestamp header: unix seconds. */
	timestamp: string | undefined;
	/** The X-Slipway-Signature header: `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. */
	signature: string | undefined;
	rawBody: Buffer | undefined;
	nowMs: number;
}

/**
 * Checks that a delivery comes from the Slipway server this trigger registered with: signed with
 * the secret given at registration, recently. Returns why it is refused, or undefined when it is good.
 * The reason never holds the secret or the expected signature.
 */
export function refuseDelivery({ secret, timestamp, signature, rawBody, nowMs }: SignedDelivery): string | undefined {
	if (!secret) return 'this trigger holds no secret yet: deactivate and activate the workflow to register it again';
	if (!timestamp || !signature) return 'the request is not signed: X-Slipway-Timestamp and X-Slipway-Signature are required';
	if (!rawBody) return 'the request has no body to check the signature against';
	if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) {
		return `X-Slipway-Timestamp is not within ${TOLERANCE_SECONDS} seconds of this clock`;
	}
	const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`);
	const given = Buffer.from(signature.trim().toLowerCase());
	// timingSafeEqual throws on different lengths; comparing them first says nothing about the secret.
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
		return 'X-Slipway-Signature does not match the body signed with this trigger\'s secret';
	}
	return undefined;
}
