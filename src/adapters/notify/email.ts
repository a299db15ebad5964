import { createTransport } from 'nodemailer';
import type { RunOutcome } from '../../ports/index.ts';
import { withRetries, type AttemptResult } from './attempts.ts';
import { headline, plainText } from './message.ts';
import type { SenderFactory } from './target.ts';

/*
 * Email over SMTP with nodemailer: plain text, one message to every recipient. A connection that
 * fails or a 4xx reply (the server's "try again later") is retried; a 5xx reply (refused login,
 * unknown recipient) is final.
 */

/** Connection failures nodemailer reports by code; each may pass. */
const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS']);

/**
 * The email for an outcome: the headline as subject (prefixed so that filters can match it), the
 * facts as the body.
 *
 * @example
 * emailMessage(outcome) // { subject: '[Slipway] notes is live', text: 'notes is live\n\nApp: notes\nURL: …' }
 */
export function emailMessage(outcome: RunOutcome): { subject: string; text: string } {
  return { subject: `[Slipway] ${headline(outcome)}`, text: `${plainText(outcome)}\n` };
}

/** Whether a nodemailer failure may pass on its own, and how to say what it was. */
export function classifySmtpError(error: unknown): AttemptResult {
  const failure = error as Error & { code?: string; responseCode?: number };
  const message = failure.message.split('\n')[0]!;
  const retryable = failure.responseCode !== undefined ? failure.responseCode >= 400 && failure.responseCode < 500 : RETRYABLE_CODES.has(failure.code ?? '');
  return { ok: false, error: `SMTP: ${message}`, retryable };
}

/** Mail through an SMTP server; shown by its recipients, the password kept secret. */
export const emailSender: SenderFactory<'email'> = (config, field, context) => {
  const { smtp } = config;
  const password = smtp.password ? context.secret(smtp.password, `${field}.smtp.password`) : undefined;
  const auth = smtp.user && password ? { user: smtp.user, pass: password } : undefined;
  return {
    name: `email:${config.to.join(',')}`,
    secrets: password ? [password] : [],
    send: (outcome, signal) => {
      const message = emailMessage(outcome);
      return withRetries(context.retry, async () => {
        const transport = createTransport({
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          ...(auth ? { auth } : {}),
          connectionTimeout: context.timeoutMs,
          greetingTimeout: context.timeoutMs,
          socketTimeout: context.timeoutMs,
          // The message is text Slipway wrote; it never needs to read files or fetch URLs.
          disableFileAccess: true,
          disableUrlAccess: true,
        });
        try {
          await transport.sendMail({ from: config.from, to: config.to, subject: message.subject, text: message.text });
          return { ok: true };
        } catch (error) {
          return classifySmtpError(error);
        } finally {
          transport.close();
        }
      }, signal);
    },
  };
};
