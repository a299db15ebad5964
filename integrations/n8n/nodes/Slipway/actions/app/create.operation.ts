import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { type RunAccepted, runWaitOptions, waitForRun } from '../../helpers/runs';
import { slipwayApiRequest } from '../../transport';
import { waitProperties } from '../common.descriptions';

const properties: INodeProperties[] = [
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'a pomodoro timer with a dark theme',
		description: 'What the app should be, in plain words; give a description, a template, or both',
	},
	{
		displayName: 'Template Name or ID',
		name: 'template',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getTemplates' },
		default: '',
		description:
			'The template to start from. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'App Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'pomodoro-timer',
		description: 'A DNS-safe name for the app; Slipway derives one from the description when empty',
	},
	...waitProperties,
];

export const description = updateDisplayOptions({ show: { resource: ['app'], operation: ['create'] } }, properties);

/** Starts a create run (POST /v1/apps) and, unless told not to, waits for the app to answer at its URL. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const body: IDataObject = {};
	for (const field of ['description', 'template', 'name']) {
		const value = (this.getNodeParameter(field, itemIndex, '') as string).trim();
		if (value) body[field] = value;
	}
	const accepted = (await slipwayApiRequest.call(this, 'POST', '/v1/apps', { body, ...(body.name ? { about: { app: body.name as string } } : {}) })) as unknown as RunAccepted;
	const { wait, timeoutSeconds } = runWaitOptions.call(this, itemIndex);
	return wait ? await waitForRun.call(this, accepted, timeoutSeconds) : { ...accepted };
}
