import type { INodeProperties } from 'n8n-workflow';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as list from './list.operation';

export { create, del as delete, get, list };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['app'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Make an app from a description or a template and ship it',
				action: 'Create an app',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Stop an app and remove it from both repositories',
				action: 'Delete an app',
			},
			{
				name: 'Get',
				value: 'get',
				description: "Get an app's state, URL and recent commits",
				action: 'Get an app',
			},
			{
				name: 'List',
				value: 'list',
				description: 'List every app with its state and URL',
				action: 'List apps',
			},
		],
		default: 'create',
	},
	...create.description,
	...del.description,
	...get.description,
	...list.description,
];
