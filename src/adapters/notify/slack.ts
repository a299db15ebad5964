import type { RunOutcome } from '../../ports/index.ts';
import { withRetries } from './attempts.ts';
import { postOnce } from './http-post.ts';
import { clip, eventType, facts, formatDuration, headline } from './message.ts';
import { secretUrl, urlSecrets, type SenderFactory } from './target.ts';

/*
 * Slack incoming webhooks take a JSON message: `text` (shown in notifications and wherever blocks
 * cannot be) and Block Kit `blocks`. Slack answers 200 `ok`, or 4xx with a short reason such as
 * `invalid_payload` or `no_service` (the webhook was removed), which another try would not change.
 */

// Slack's limits: a header's plain text 150 characters, a section's text 3000, a field's 2000.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;

/** Slack reads `&`, `<` and `>` as markup (`<!channel>` would ping everyone): text from a run is escaped. */
function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function fieldText(label: string, value: string) {
  return { type: 'mrkdwn', text: clip(`*${label}*\n${value}`, FIELD_MAX) };
}

/**
 * The Slack message for an outcome: a header, the app, URL (as a link), run and duration as
 * fields, and for a failure a section with the failing stage, the reason and the hint.
 *
 * @example
 * slackMessage(outcome) // { text: 'notes is live …', blocks: [{ type: 'header', … }, { type: 'section', fields: […] }] }
 */
export function slackMessage(outcome: RunOutcome): { text: string; blocks: object[] } {
  const fields = [
    fieldText('App', escape(outcome.app)),
    ...(outcome.url ? [fieldText('URL', `<${escape(outcome.url)}>`)] : []),
    fieldText('Run', `\`${escape(outcome.runId)}\` (${outcome.kind})`),
    fieldText('Duration', formatDuration(outcome.durationMs)),
  ];
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(headline(outcome), HEADER_MAX) } },
    { type: 'section', fields },
  ];
  if (outcome.error) {
    const lines = [
      ...(outcome.error.stepId ? [`*Failed at* \`${escape(outcome.error.stepId)}\``] : []),
      `*Reason:* ${escape(outcome.error.message)}`,
      ...(outcome.error.hint ? [`*Hint:* ${escape(outcome.error.hint)}`] : []),
    ];
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n'), SECTION_MAX) } });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Slipway · ${eventType(outcome)}` }] });
  const text = clip(escape(`${headline(outcome)} — ${facts(outcome).map(({ label, value }) => `${label}: ${value}`).join(' · ')}`), SECTION_MAX);
  return { text, blocks };
}

/** A Slack incoming webhook; its URL is the secret. */
export const slackSender: SenderFactory<'slack'> = (config, field, context) => {
  const secret = context.secret(config.url, `${field}.url`);
  const url = secretUrl(secret, `${field}.url`);
  return {
    name: 'slack',
    secrets: [secret, ...urlSecrets(url)],
    send: (outcome, signal) => {
      const body = JSON.stringify(slackMessage(outcome));
      return withRetries(context.retry, () => postOnce({ url, headers: { 'content-type': 'application/json' }, body, timeoutMs: context.timeoutMs, signal }), signal);
    },
  };
};
