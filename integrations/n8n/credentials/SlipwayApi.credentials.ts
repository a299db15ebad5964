import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Where a Slipway server listens (`slipway serve`) and the API token to call it with. The token may
 * be empty for a server on loopback that has no tokens: an empty token sends no Authorization header
 * at all, because such a server lets a request without one in but refuses a malformed one.
 */
export class SlipwayApi implements ICredentialType {
	name = 'slipwayApi';

	displayName = 'Slipway API';

	icon: Icon = { light: 'file:../icons/slipway.svg', dark: 'file:../icons/slipway.dark.svg' };

	documentationUrl = 'https://github.com/slipway-dev/slipway#n8n';

	properties: INodeProperties[] = [
		{
			displayName: 'Server URL',
			name: 'url',
			type: 'string',
			default: 'http://127.0.0.1:8420',
			placeholder: 'http://127.0.0.1:8420',
			description: 'The address slipway serve answers on',
			required: true,
		},
		{
			displayName: 'API Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'A token made with `slipway token create --name n8n --scope write`; leave empty for a loopback server without tokens',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '={{ $credentials.token ? "Bearer " + $credentials.token : "" }}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.url.replace(/\\/+$/, "") }}',
			url: '/v1/apps',
		},
	};
}
