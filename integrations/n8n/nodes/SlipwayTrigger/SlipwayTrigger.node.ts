import { randomBytes } from 'crypto';
import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes } from 'n8n-workflow';
import { slipwayApiRequest } from '../Slipway/transport';
import { refuseDelivery } from './signature';

/** What the trigger keeps between activation and deactivation (the workflow's static data). */
interface Registration extends IDataObject {
	webhookId?: string;
	secret?: string;
}

interface Subscription {
	id: string;
	url: string;
	events: string[];
}

/**
 * Starts a workflow when a Slipway run ends. On activation it subscribes its webhook URL with the
 * server (POST /v1/webhooks) with a fresh random secret, and unsubscribes on deactivation; each
 * delivery must carry Slipway's HMAC signature made with that secret, or it is refused with 401.
 */
export class SlipwayTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slipway Trigger',
		name: 'slipwayTrigger',
		icon: { light: 'file:../../icons/slipway.svg', dark: 'file:../../icons/slipway.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description: 'Starts the workflow when a Slipway run succeeds, fails or is cancelled',
		defaults: { name: 'Slipway Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'slipwayApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					{ name: 'Run Cancelled', value: 'run.cancelled', description: 'A run was cancelled' },
					{ name: 'Run Failed', value: 'run.failed', description: 'A run failed; the item carries the error and its hint' },
					{ name: 'Run Succeeded', value: 'run.succeeded', description: 'A run finished; the item carries the URL' },
				],
				default: ['run.succeeded', 'run.failed'],
				description: 'The ends of runs that start the workflow',
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const registration = this.getWorkflowStaticData('node') as Registration;
				if (!registration.webhookId) return false;
				let subscription: Subscription;
				try {
					subscription = (await slipwayApiRequest.call(this, 'GET', `/v1/webhooks/${registration.webhookId}`)) as unknown as Subscription;
				} catch (error) {
					if ((error as NodeApiError).httpCode !== '404') throw new NodeApiError(this.getNode(), error);
					// Removed on the server meanwhile: forget it, and create registers the trigger again.
					delete registration.webhookId;
					delete registration.secret;
					return false;
				}
				const events = [...(this.getNodeParameter('events') as string[])].sort();
				const unchanged = subscription.url === this.getNodeWebhookUrl('default') && [...subscription.events].sort().join() === events.join();
				if (unchanged) return true;
				// The URL or the events changed since it was registered: replace the subscription.
				await slipwayApiRequest.call(this, 'DELETE', `/v1/webhooks/${registration.webhookId}`);
				delete registration.webhookId;
				delete registration.secret;
				return false;
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const registration = this.getWorkflowStaticData('node') as Registration;
				const secret = randomBytes(32).toString('hex');
				const name = `n8n: ${this.getWorkflow().name ?? this.getWorkflow().id ?? 'workflow'}`.slice(0, 64);
				const subscription = (await slipwayApiRequest.call(this, 'POST', '/v1/webhooks', {
					body: { url: this.getNodeWebhookUrl('default'), events: this.getNodeParameter('events') as string[], secret, name },
				})) as unknown as Subscription;
				registration.webhookId = subscription.id;
				registration.secret = secret;
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				const registration = this.getWorkflowStaticData('node') as Registration;
				if (registration.webhookId) {
					try {
						await slipwayApiRequest.call(this, 'DELETE', `/v1/webhooks/${registration.webhookId}`);
					} catch (error) {
						// Already gone from the server is what deactivation wants; anything else is told.
						if ((error as NodeApiError).httpCode !== '404') throw new NodeApiError(this.getNode(), error);
					}
				}
				delete registration.webhookId;
				delete registration.secret;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const { secret } = this.getWorkflowStaticData('node') as Registration;
		const refusal = refuseDelivery({
			secret,
			timestamp: request.header('x-slipway-timestamp'),
			signature: request.header('x-slipway-signature'),
			rawBody: request.rawBody,
			nowMs: Date.now(),
		});
		if (refusal) {
			this.getResponseObject().status(401).json({ message: refusal });
			return { noWebhookResponse: true };
		}
		return { workflowData: [this.helpers.returnJsonArray(this.getBodyData())] };
	}
}
