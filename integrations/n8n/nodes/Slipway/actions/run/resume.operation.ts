import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { type RunAccepted, runWaitOptions, waitForRun } from '../../helpers/runs';
import { slipwayApiRequest } from '../../transport';
import { runIdProperty, waitProperties } from '../common.descriptions';

export const description = updateDisplayOptions({ show: { resource: ['run'], operation: ['resume'] } }, [
	runIdProperty,
	...waitProperties,
]);

/** Queues an interrupted, failed or cancelled run again from its last finished step (POST /v1/runs/{id}/resume). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const runId = (this.getNodeParameter('runId', itemIndex) as string).trim();
	const accepted = (await slipwayApiRequest.call(this, 'POST', `/v1/runs/${encodeURIComponent(runId)}/resume`, { about: { runId } })) as unknown as RunAccepted;
	const { wait, timeoutSeconds } = runWaitOptions.call(this, itemIndex);
	return wait ? await waitForRun.call(this, accepted, timeoutSeconds) : { ...accepted };
}
