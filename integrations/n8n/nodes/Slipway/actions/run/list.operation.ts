import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { slipwayApiRequest } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 200 },
		default: 50,
		description: 'Max number of results to return',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'App Name',
				name: 'app',
				type: 'string',
				default: '',
				description: 'Only the runs of this app',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: [
					{ name: 'Cancelled', value: 'cancelled' },
					{ name: 'Failed', value: 'failed' },
					{ name: 'Interrupted', value: 'interrupted' },
					{ name: 'Queued', value: 'queued' },
					{ name: 'Running', value: 'running' },
					{ name: 'Succeeded', value: 'succeeded' },
				],
				default: 'failed',
				description: 'Only the runs in this state',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['run'], operation: ['list'] } }, properties);

/** Recent runs, newest first, with their timelines (GET /v1/runs): one item per run. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const limit = this.getNodeParameter('limit', itemIndex, 50) as number;
	const filters = this.getNodeParameter('filters', itemIndex, {}) as { app?: string; status?: string };
	const qs: IDataObject = { limit };
	if (filters.app?.trim()) qs.app = filters.app.trim();
	if (filters.status) qs.status = filters.status;
	const { runs } = (await slipwayApiRequest.call(this, 'GET', '/v1/runs', { qs })) as { runs: IDataObject[] };
	return runs;
}
