import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { slipwayApiRequest } from '../../transport';

export const description = updateDisplayOptions({ show: { resource: ['app'], operation: ['list'] } }, [] as INodeProperties[]);

/** Every app with its state, URL and last commits (GET /v1/apps): one item per app. */
export async function execute(this: IExecuteFunctions): Promise<IDataObject[]> {
	const { apps } = (await slipwayApiRequest.call(this, 'GET', '/v1/apps')) as { apps: IDataObject[] };
	return apps;
}
