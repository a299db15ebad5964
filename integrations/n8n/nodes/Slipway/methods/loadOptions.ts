import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { slipwayApiRequest } from '../transport';

/** The templates the server offers (GET /v1/templates), and "none" to let the description decide. */
export async function getTemplates(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const { templates } = (await slipwayApiRequest.call(this, 'GET', '/v1/templates')) as {
		templates: Array<{ id: string; title: string; description: string }>;
	};
	return [
		{ name: 'None (From the Description)', value: '' },
		...templates.map((template) => ({ name: template.title, value: template.id, description: template.description })),
	];
}
