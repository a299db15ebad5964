import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { ConfigError } from '../../domain/errors.ts';
import { TOLERANCE_SECONDS } from '../access/signature.ts';

export const DISCORD_SIGNATURE_HEADER = 'X-Signature-Ed25519';
export const DISCORD_TIMESTAMP_HEADER = 'X-Signature-Timestamp';

const PUBLIC_KEY_SHAPE = /^[0-9a-f]{64}$/i;
const SIGNATURE_SHAPE = /^[0-9a-f]{128}$/i;

/**
 * The application's public key (64 hex characters, as Discord's developer portal shows it) as a
 * key Node can verify with. A key of another shape is a configuration error.
 *
 * @example
 * const key = discordPublicKey('e6f0…'); // from chat.discord.publicKey
 */
export function discordPublicKey(hex: string): KeyObject {
  if (!PUBLIC_KEY_SHAPE.test(hex)) {
    throw new ConfigError('chat.discord.publicKey must be 64 hex characters', { hint: 'Copy the Public Key from the General Information page of your application in the Discord developer portal.' });
  }
  // A raw Ed25519 key is the JWK's `x`; Node takes it that way without hand-built DER.
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' });
}

export interface DiscordSignedRequest {
  publicKey: KeyObject;
  /** The X-Signature-Ed25519 header, as sent. */
  signature: string | undefined;
  /** The X-Signature-Timestamp header, as sent. */
  timestamp: string | undefined;
  rawBody: Uint8Array;
  now: Date;
}

/**
 * Why a Discord interaction is refused, or undefined when its Ed25519 signature over
 * `timestamp + raw body` checks out. Discord sends fresh timestamps; one far from the clock is
 * refused too, so a request captured once cannot be sent again later.
 */
export function discordSignatureRefusal(request: DiscordSignedRequest): string | undefined {
  const { signature, timestamp } = request;
  if (!signature || !timestamp) return `the request lacks the ${DISCORD_SIGNATURE_HEADER} and ${DISCORD_TIMESTAMP_HEADER} headers Discord signs with`;
  if (!SIGNATURE_SHAPE.test(signature)) return `${DISCORD_SIGNATURE_HEADER} must be 128 hex characters`;
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(request.now.getTime() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) {
    return `${DISCORD_TIMESTAMP_HEADER} is not within ${TOLERANCE_SECONDS} seconds of this server's clock`;
  }
  const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), request.rawBody]);
  if (!verify(null, signed, request.publicKey, Buffer.from(signature, 'hex'))) return 'the signature does not match the body and the application\'s public key';
  return undefined;
}
