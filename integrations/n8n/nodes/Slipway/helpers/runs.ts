import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';
import { slipwayApiRequest, slipwayError } from '../transport';

/** What Slipway answers when it queues a run (202): create, delete and resume. */
export interface RunAccepted {
	runId: string;
	app: string;
	kind: string;
	status: string;
}

interface Step {
	stepId: string;
	title: string;
	status: string;
}

/** A run as `GET /v1/runs/{id}` reports it (the fields the node reads). */
export interface RunReport extends IDataObject {
	runId: string;
	app: string;
	status: string;
	url?: string;
	commits: IDataObject;
	timeline: Step[];
	error?: { message: string; hint?: string; stepId?: string };
}

const POLL_INTERVAL_MS = 2_000;
const FINISHED = ['succeeded', 'failed', 'cancelled'];

/** The options every operation that starts a run has: wait for it, and for how long. */
export function runWaitOptions(this: IExecuteFunctions, itemIndex: number): { wait: boolean; timeoutSeconds: number } {
	const wait = this.getNodeParameter('waitForCompletion', itemIndex, true) as boolean;
	const options = this.getNodeParameter('options', itemIndex, {}) as { timeout?: number };
	return { wait, timeoutSeconds: options.timeout ?? 900 };
}

/**
 * Asks for the run every two seconds until it has succeeded, failed or been cancelled. A run that
 * did not succeed, or one still going at the timeout, is thrown as a NodeApiError naming its stage
 * and Slipway's hint; a succeeded run is returned with its URL, commits and timeline.
 */
export async function waitForRun(this: IExecuteFunctions, accepted: RunAccepted, timeoutSeconds: number): Promise<IDataObject> {
	const deadline = Date.now() + timeoutSeconds * 1000;
	const path = `/v1/runs/${encodeURIComponent(accepted.runId)}`;
	for (;;) {
		const run = (await slipwayApiRequest.call(this, 'GET', path)) as RunReport;
		if (FINISHED.includes(run.status)) return finishedRun(this.getNode(), run);
		if (Date.now() >= deadline) {
			throw slipwayError(this.getNode(), {
				message: `The run ${run.runId} of ${run.app} has not finished after ${timeoutSeconds} seconds (it is ${run.status})`,
				...stageOf(run),
				hint: 'Raise the Timeout option, or follow the run with the Run → Get operation (or `slipway runs`): it goes on without n8n.',
				app: run.app,
				runId: run.runId,
			});
		}
		if (this.getExecutionCancelSignal()?.aborted) {
			throw new NodeOperationError(this.getNode(), `The execution was cancelled while run ${run.runId} went on`);
		}
		await sleep(Math.min(POLL_INTERVAL_MS, deadline - Date.now()));
	}
}

/** A finished run as the node outputs it, or thrown when it did not succeed. */
export function finishedRun(node: INode, run: RunReport): IDataObject {
	if (run.status !== 'succeeded') {
		throw slipwayError(node, {
			message: run.error?.message ?? `The run ${run.runId} of ${run.app} was ${run.status}`,
			...stageOf(run),
			...(run.error?.hint ? { hint: run.error.hint } : {}),
			app: run.app,
			runId: run.runId,
		});
	}
	return {
		runId: run.runId,
		app: run.app,
		status: run.status,
		...(run.url ? { url: run.url } : {}),
		commits: run.commits,
		timeline: run.timeline,
	};
}

/** The stage a run stopped at: its error's step, else the last step it began, as "id (title)". */
function stageOf(run: RunReport): { stage?: string } {
	const stepId = run.error?.stepId ?? run.timeline[run.timeline.length - 1]?.stepId;
	if (!stepId) return {};
	const step = run.timeline.find((candidate) => candidate.stepId === stepId);
	return { stage: step ? `${stepId} (${step.title})` : stepId };
}
