import type { Logger } from 'pino';
import type { AppStatus, AppView, RunReport, StartRequest } from '../../app/slipway-service.ts';
import { describeError, ENDED_STATUSES, SlipwayError, type Run } from '../../domain/index.ts';
import type { StoredRunEvent } from '../../pipeline/index.ts';
import type { ChatCommand } from './commands.ts';

export type ChatPlatform = 'slack' | 'telegram' | 'discord';

/** Who asked, as the platform names them: its user id and the channel (or chat) id. */
export interface ChatWho {
  platform: ChatPlatform;
  user: string;
  channel: string;
}

/** Who may ask (`chat.<platform>` in slipway.yaml): a user listed, or anyone in a channel listed; deletes need allowDelete too. */
export interface ChatPolicy {
  allowUsers: string[];
  allowChannels: string[];
  allowDelete: string[];
}

/** An answer in plain text; each platform may format it. `ok: false` marks a refusal or a failure. */
export interface ChatMessage {
  text: string;
  ok?: boolean;
}

/** The parts of SlipwayService a conversation calls. */
export interface ChatService {
  start(request: StartRequest, options?: { idempotencyKey?: string }): Promise<Run>;
  watch(runId: string, options: { after?: number; signal?: AbortSignal }): AsyncIterable<StoredRunEvent>;
  report(runId: string): Promise<RunReport>;
  list(): Promise<AppView[]>;
  status(app: string): Promise<AppStatus>;
}

export interface ChatDeps {
  service: ChatService;
  policy: ChatPolicy;
  /** Derived from the platform's request id, so a platform's retry returns the first run instead of starting another. */
  idempotencyKey?: string;
  /** Posts the result of a create or delete once its run ended; called at most once per request. */
  followUp(message: ChatMessage): Promise<void>;
  logger: Logger;
}

/** Runs this process follows for a chat: a retried request finds its run here and does not post the result twice. */
const following = new Set<string>();

/**
 * Answers a chat command at once (the platforms want an answer within seconds): the refusal, the
 * help, the list, the status, or that a run started. A create or delete is an ordinary run; it is
 * followed in the background and its result goes to `followUp`: the app and its URL, or the stage
 * that failed, the reason and the hint.
 *
 * @example
 * await answerChat({ kind: 'create', description: 'a pomodoro timer' }, { platform: 'slack', user: 'U1', channel: 'C1' }, deps)
 * // { text: 'Building pomodoro-timer… (run run-20260101000000-abc123)', ok: true }
 */
export async function answerChat(command: ChatCommand, who: ChatWho, deps: ChatDeps): Promise<ChatMessage> {
  const refusal = refuse(command, who, deps.policy);
  if (refusal) {
    deps.logger.info({ platform: who.platform, user: who.user, channel: who.channel, command: command.kind }, 'chat request refused');
    return refusal;
  }
  try {
    switch (command.kind) {
      case 'help': return { text: helpText(), ok: true };
      case 'list': return { text: listText(await deps.service.list()), ok: true };
      case 'status': return { text: statusText(await deps.service.status(command.app)), ok: true };
      case 'create': return await startRun({ kind: 'create', description: command.description }, who, deps);
      case 'delete': return await startRun({ kind: 'delete', app: command.app }, who, deps);
    }
  } catch (error) {
    if (!(error instanceof SlipwayError)) {
      deps.logger.error({ err: describeError(error), platform: who.platform }, 'chat request failed');
      return { text: 'Slipway could not take this request because of an error on its side; the server log says more.', ok: false };
    }
    const { message, hint } = describeError(error);
    return { text: hint ? `${capitalized(message)}.\n${hint}` : `${capitalized(message)}.`, ok: false };
  }
}

/** The polite refusal, naming the ids and the key of slipway.yaml that would let them in; undefined when allowed. */
function refuse(command: ChatCommand, who: ChatWho, policy: ChatPolicy): ChatMessage | undefined {
  const key = `chat.${who.platform}`;
  if (!policy.allowUsers.includes(who.user) && !policy.allowChannels.includes(who.channel)) {
    return {
      text: `Sorry, Slipway does not take requests from you here yet. To let you in, add your user id ${who.user} to ${key}.allowUsers, or this channel's id ${who.channel} to ${key}.allowChannels, in slipway.yaml.`,
      ok: false,
    };
  }
  if (command.kind === 'delete' && !policy.allowDelete.includes(who.user)) {
    return { text: `Sorry, deleting apps is kept to a few people. To let you delete, add your user id ${who.user} to ${key}.allowDelete in slipway.yaml.`, ok: false };
  }
  return undefined;
}

async function startRun(request: StartRequest, who: ChatWho, deps: ChatDeps): Promise<ChatMessage> {
  const run = await deps.service.start(request, deps.idempotencyKey ? { idempotencyKey: deps.idempotencyKey } : {});
  deps.logger.info({ platform: who.platform, user: who.user, channel: who.channel, runId: run.id, app: run.app, kind: run.kind }, 'chat request started a run');
  // A retried request whose run has ended already: its result is the answer.
  if (ENDED_STATUSES.includes(run.status)) return resultMessage(await deps.service.report(run.id));
  if (!following.has(run.id) && (run.status === 'queued' || run.status === 'running')) {
    following.add(run.id);
    void follow(run, deps).finally(() => following.delete(run.id));
  }
  return { text: `${run.kind === 'create' ? 'Building' : 'Deleting'} ${run.app}… (run ${run.id})`, ok: true };
}

/** Waits for the run's end, then posts its result; a result that cannot be posted is logged. */
async function follow(run: Run, deps: ChatDeps): Promise<void> {
  let message: ChatMessage;
  try {
    // `events` of a run just queued is its run:queued event: what follows is this attempt.
    for await (const stored of deps.service.watch(run.id, { after: run.events })) if (stored.event.type === 'run:end') break;
    message = resultMessage(await deps.service.report(run.id));
  } catch (error) {
    deps.logger.warn({ runId: run.id, err: describeError(error) }, 'could not follow a chat request\'s run');
    message = { text: `Slipway lost track of run ${run.id}; ask for \`status ${run.app}\` to see how it ended.`, ok: false };
  }
  try {
    await deps.followUp(message);
  } catch (error) {
    // The platform's own error; its adapter keeps tokens out of it.
    deps.logger.warn({ runId: run.id, err: { message: describeError(error).message } }, 'could not post the result of a chat request');
  }
}

/** How a run ended, in a few lines: the app and URL, or the stage, the reason and the hint. */
export function resultMessage(report: RunReport): ChatMessage {
  const { app, kind, runId } = report;
  if (report.status === 'succeeded') {
    if (kind === 'delete') return { text: `${app} was deleted. (run ${runId})`, ok: true };
    const secrets = report.nextSteps ? `\nIt runs on its defaults until its secrets are set: ${report.nextSteps.map((step) => `\`${step}\``).join(', ')}` : '';
    return { text: `${app} is live${report.url ? `: ${report.url}` : '.'} (run ${runId})${report.next ? `\n${report.next}` : ''}${secrets}`, ok: true };
  }
  if (report.status === 'cancelled') return { text: `${app}: the ${kind} was cancelled. (run ${runId})`, ok: false };
  const error = report.error;
  const step = report.timeline.find((s) => s.stepId === error?.stepId);
  const lines = [
    `${app}: the ${kind} failed${error?.stepId ? ` at ${error.stepId}${step ? ` (${step.title})` : ''}` : ''}. (run ${runId})`,
    `Reason: ${error?.message ?? `the run ended ${report.status}`}`,
    ...(error?.hint ? [`Hint: ${error.hint}`] : []),
  ];
  return { text: lines.join('\n'), ok: false };
}

function listText(apps: AppView[]): string {
  if (apps.length === 0) return 'No apps yet. Describe one to build it, e.g. "a pomodoro timer with a dark theme".';
  return [`${apps.length} app${apps.length === 1 ? '' : 's'}:`, ...apps.map((app) => `• ${app.name} (${app.state})${app.url ? ` ${app.url}` : ''}`)].join('\n');
}

function statusText(app: AppStatus): string {
  return [
    `${app.name}: ${app.state}${app.runtimeState ? `, ${app.runtimeState}` : ''}`,
    ...(app.url ? [`URL: ${app.url}`] : []),
    `Description: ${app.description}`,
    `Last run: ${app.lastRunId}`,
    ...(app.next ? [`Next: ${app.next}`] : []),
  ].join('\n');
}

function helpText(): string {
  return [
    'Slipway builds and runs webapps. Ask it:',
    '• <description>, or new <description>: build an app, e.g. "a pomodoro timer with a dark theme"',
    '• list: the apps',
    '• status <app>: how an app is doing',
    '• delete <app>: remove an app (for the people allowed to)',
    '• help: this message',
  ].join('\n');
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
