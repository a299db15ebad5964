import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { slipwayApiRequest } from '../../transport';
import { appNameProperty } from '../common.descriptions';

export const description = updateDisplayOptions({ show: { resource: ['app'], operation: ['get'] } }, [appNameProperty]);

/** An app's state, URL and recent commits (GET /v1/apps/{app}). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const app = (this.getNodeParameter('app', itemIndex) as string).trim();
	return await slipwayApiRequest.call(this, 'GET', `/v1/apps/${encodeURIComponent(app)}`, { about: { app } });
}
