import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { failureItem } from '../transport';
import * as app from './app';
import * as run from './run';

type Operation = (this: IExecuteFunctions, itemIndex: number) => Promise<IDataObject | IDataObject[]>;

const operations: Record<string, Record<string, Operation>> = {
	app: { create: app.create.execute, delete: app.delete.execute, get: app.get.execute, list: app.list.execute },
	run: { get: run.get.execute, list: run.list.execute, resume: run.resume.execute },
};

/**
 * Runs the chosen operation once per input item. With "Continue On Fail" (or the node's setting
 * "On Error: Continue") a failure becomes an item `{ status: 'failed', app?, runId?, error }` so the
 * workflow can branch on it; otherwise the NodeApiError stops the workflow with Slipway's reason and hint.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const resource = this.getNodeParameter('resource', itemIndex) as string;
		const operation = this.getNodeParameter('operation', itemIndex) as string;
		const execute = operations[resource]?.[operation];
		if (!execute) {
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not one of the ${resource} resource's`, { itemIndex });
		}
		try {
			const result = await execute.call(this, itemIndex);
			output.push(...this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(result), { itemData: { item: itemIndex } }));
		} catch (error) {
			if (this.continueOnFail()) {
				output.push({ json: failureItem(error), pairedItem: { item: itemIndex } });
				continue;
			}
			if (error instanceof NodeOperationError) throw new NodeOperationError(this.getNode(), error, { itemIndex });
			// Slipway's own errors come back as they are (NodeApiError returns the error it is given): only their item is added.
			if (error instanceof NodeApiError) error.context.itemIndex = itemIndex;
			throw new NodeApiError(this.getNode(), error as JsonObject, { itemIndex });
		}
	}
	return [output];
}
