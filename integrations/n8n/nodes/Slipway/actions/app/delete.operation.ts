import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { type RunAccepted, runWaitOptions, waitForRun } from '../../helpers/runs';
import { slipwayApiRequest } from '../../transport';
import { appNameProperty, waitProperties } from '../common.descriptions';

export const description = updateDisplayOptions({ show: { resource: ['app'], operation: ['delete'] } }, [
	appNameProperty,
	...waitProperties,
]);

/** Starts a delete run (DELETE /v1/apps/{app}): the app stops and leaves both repositories. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const app = (this.getNodeParameter('app', itemIndex) as string).trim();
	const accepted = (await slipwayApiRequest.call(this, 'DELETE', `/v1/apps/${encodeURIComponent(app)}`, { about: { app } })) as unknown as RunAccepted;
	const { wait, timeoutSeconds } = runWaitOptions.call(this, itemIndex);
	return wait ? await waitForRun.call(this, accepted, timeoutSeconds) : { ...accepted };
}
