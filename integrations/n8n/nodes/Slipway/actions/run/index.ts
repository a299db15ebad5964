import type { INodeProperties } from 'n8n-workflow';
import * as get from './get.operation';
import * as list from './list.operation';
import * as resume from './resume.operation';

export { get, list, resume };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['run'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: "Get a run's status, timeline, URL and commits",
				action: 'Get a run',
			},
			{
				name: 'List',
				value: 'list',
				description: 'List recent runs, newest first',
				action: 'List runs',
			},
			{
				name: 'Resume',
				value: 'resume',
				description: 'Run an interrupted, failed or cancelled run again from its last finished step',
				action: 'Resume a run',
			},
		],
		default: 'get',
	},
	...get.description,
	...list.description,
	...resume.description,
];
