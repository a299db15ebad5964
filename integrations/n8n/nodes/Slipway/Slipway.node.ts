import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import * as app from './actions/app';
import { router } from './actions/router';
import * as run from './actions/run';
import { getTemplates } from './methods/loadOptions';

/** Slipway's apps and runs: one file per operation under actions/, the HTTP calls in transport/. */
export class Slipway implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slipway',
		name: 'slipway',
		icon: { light: 'file:../../icons/slipway.svg', dark: 'file:../../icons/slipway.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Ship webapps from a description with Slipway, and follow their runs',
		defaults: { name: 'Slipway' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'slipwayApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'App', value: 'app' },
					{ name: 'Run', value: 'run' },
				],
				default: 'app',
			},
			...app.description,
			...run.description,
		],
	};

	methods = { loadOptions: { getTemplates } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
