import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';

/**
 * bcrypt cost 5: the registry checks the hash on every request (cost 12 costs ~300 ms each, more on a
 * Raspberry Pi), and the password is 32 random bytes, which no cost would make easier to guess.
 */
const COST = 5;

/**
 * One htpasswd line (`user:$2b$…`) as the registry's htpasswd auth reads it. The salt comes from the
 * password itself, so the same password gives the same line on every run: the Secret, and its
 * encrypted file in the GitOps repo, stay unchanged until the password does.
 * @example htpasswdLine('slipway', password) // 'slipway:$2b$05$…'
 */
export function htpasswdLine(user: string, password: string): string {
  const seed = createHash('sha256').update('slipway htpasswd salt\0').update(user).update('\0').update(password).digest();
  const salt = `$2b$${String(COST).padStart(2, '0')}$${bcrypt.encodeBase64(seed, 16)}`;
  return `${user}:${bcrypt.hashSync(password, salt)}`;
}
