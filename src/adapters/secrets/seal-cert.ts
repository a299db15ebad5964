import { X509Certificate } from 'node:crypto';
import { InputError } from '../../domain/errors.ts';

const FETCH_HINT = 'Fetch the controller\'s certificate with `kubeseal --fetch-cert > sealed-secrets.pem` and pass that file.';

/**
 * The Sealed Secrets controller's certificate, checked: a PEM certificate with an RSA key that is
 * valid now. `source` names it in errors (a file path or a flag).
 */
export function parseSealCert(pem: string, source: string, now: Date = new Date()): X509Certificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw new InputError(`${source} is not a PEM certificate`, { hint: FETCH_HINT });
  }
  if (cert.publicKey.asymmetricKeyType !== 'rsa') {
    throw new InputError(`${source} has an ${(cert.publicKey.asymmetricKeyType ?? 'unknown').toUpperCase()} key; the Sealed Secrets controller seals with RSA`, { hint: FETCH_HINT });
  }
  if (now.getTime() > Date.parse(cert.validTo)) {
    throw new InputError(`${source} expired on ${new Date(cert.validTo).toISOString()}`, { hint: `The controller renews its key every 30 days; ${FETCH_HINT.charAt(0).toLowerCase()}${FETCH_HINT.slice(1)}` });
  }
  if (now.getTime() < Date.parse(cert.validFrom)) {
    throw new InputError(`${source} is not valid before ${new Date(cert.validFrom).toISOString()}`, { hint: 'Check the clock of this machine, or fetch the certificate again.' });
  }
  return cert;
}
