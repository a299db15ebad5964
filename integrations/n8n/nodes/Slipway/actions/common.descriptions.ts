import type { INodeProperties } from 'n8n-workflow';

/** "Wait until finished" and its timeout: every operation that starts a run has them. */
export const waitProperties: INodeProperties[] = [
	{
		displayName: 'Wait Until Finished',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait for the run to end and output its result (URL, commits, timeline); otherwise output the queued run at once',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { waitForCompletion: [true] } },
		options: [
			{
				displayName: 'Timeout',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 900,
				description: 'How many seconds to wait for the run before failing (the run itself goes on)',
			},
		],
	},
];

/** The app an operation acts on. */
export const appNameProperty: INodeProperties = {
	displayName: 'App Name',
	name: 'app',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'pomodoro-timer',
	description: 'The name of the app, as `slipway list` shows it',
};

/** The run an operation acts on. */
export const runIdProperty: INodeProperties = {
	displayName: 'Run ID',
	name: 'runId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'run-20261122033000-ab12cd',
	description: 'The ID of the run, as the Create operation or `slipway runs` gives it',
};
