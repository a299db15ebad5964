import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
	INode,
	JsonObject,
} from 'n8n-workflow';
import { jsonParse, NodeApiError } from 'n8n-workflow';

export type SlipwayFunctions = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions;

/** What a person needs to act on a refused request or a failed run: Slipway's reason, stage and hint. */
export interface SlipwayFailure {
	message: string;
	stage?: string;
	hint?: string;
	app?: string;
	runId?: string;
}

interface RequestOptions {
	body?: IDataObject;
	qs?: IDataObject;
	/** The app or run the request is about, named in the failure when Slipway refuses it. */
	about?: Pick<SlipwayFailure, 'app' | 'runId'>;
}

/**
 * Calls Slipway's HTTP API with the node's Slipway API credential. An answer of 400 or more is a
 * problem+json document (RFC 9457 with Slipway's `hint` and `stage`): it becomes a NodeApiError
 * whose message is the problem's detail, so the n8n UI says what went wrong and what to do about it.
 * @example const { apps } = await slipwayApiRequest.call(this, 'GET', '/v1/apps');
 */
export async function slipwayApiRequest(
	this: SlipwayFunctions,
	method: IHttpRequestMethods,
	path: string,
	{ body, qs, about }: RequestOptions = {},
): Promise<IDataObject> {
	const credentials = await this.getCredentials<{ url: string }>('slipwayApi');
	const baseUrl = String(credentials.url).replace(/\/+$/, '');
	let response;
	try {
		response = await this.helpers.httpRequestWithAuthentication.call(this, 'slipwayApi', {
			method,
			url: `${baseUrl}${path}`,
			...(body ? { body } : {}),
			...(qs ? { qs } : {}),
			json: true,
			headers: { Accept: 'application/json, application/problem+json' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		});
	} catch (error) {
		// A URL may carry a user and password (http://user:secret@host): the message names the host only.
		const where = baseUrl.replace(/\/\/[^/@]*@/, '//');
		throw new NodeApiError(this.getNode(), error as JsonObject, {
			message: `Slipway at ${where} did not answer: ${(error as Error).message}`,
			description: 'Check the Server URL of the Slipway API credential and that slipway serve runs there.',
		});
	}
	const answer = typeof response.body === 'string' && response.body !== '' ? jsonParse<unknown>(response.body, { fallbackValue: response.body }) : response.body;
	if (response.statusCode >= 400) {
		throw slipwayError(this.getNode(), { ...about, ...problemFailure(response.statusCode, answer) }, response.statusCode);
	}
	return answer as IDataObject;
}

/** Reads a problem+json answer; an answer that is not one (a proxy's HTML page) is told by its status. */
function problemFailure(status: number, answer: unknown): SlipwayFailure {
	const problem = (answer && typeof answer === 'object' ? answer : {}) as IDataObject;
	const detail = typeof problem.detail === 'string' ? problem.detail : undefined;
	const title = typeof problem.title === 'string' ? problem.title : undefined;
	return {
		message: detail ?? title ?? `Slipway answered HTTP ${status}`,
		...(typeof problem.stage === 'string' ? { stage: problem.stage } : {}),
		...(typeof problem.hint === 'string' ? { hint: problem.hint } : {}),
	};
}

/**
 * The error the Slipway node throws for a refused request or a failed run: the reason as its message,
 * the stage and hint in its description (what the n8n UI shows under the message), and the failure
 * itself kept in its context so that "Continue On Fail" can output it as an item.
 */
export function slipwayError(node: INode, failure: SlipwayFailure, httpCode?: number): NodeApiError {
	const description = [failure.stage ? `Stage: ${failure.stage}` : '', failure.hint ? `Hint: ${failure.hint}` : '']
		.filter(Boolean)
		.join('\n');
	const error = new NodeApiError(node, { ...failure } as JsonObject, {
		message: failure.message,
		...(description ? { description } : {}),
		...(httpCode ? { httpCode: String(httpCode) } : {}),
	});
	error.context.slipway = { ...failure };
	return error;
}

/**
 * The item a failed request or run becomes when the node continues on failure, so that an IF node
 * can branch on `status` and a reply can quote the reason and hint.
 */
export function failureItem(error: Error & { context?: IDataObject }): IDataObject {
	const failure = (error.context?.slipway as SlipwayFailure | undefined) ?? { message: error.message };
	const { app, runId, message, stage, hint } = failure;
	return {
		status: 'failed',
		...(app ? { app } : {}),
		...(runId ? { runId } : {}),
		error: { message, ...(stage ? { stage } : {}), ...(hint ? { hint } : {}) },
	};
}
