import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { slipwayApiRequest } from '../../transport';
import { runIdProperty } from '../common.descriptions';

export const description = updateDisplayOptions({ show: { resource: ['run'], operation: ['get'] } }, [runIdProperty]);

/** A run as it is now: status, timeline, error, URL and commits (GET /v1/runs/{id}). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const runId = (this.getNodeParameter('runId', itemIndex) as string).trim();
	return await slipwayApiRequest.call(this, 'GET', `/v1/runs/${encodeURIComponent(runId)}`, { about: { runId } });
}
