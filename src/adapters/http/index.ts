// What other adapters may use of the shared HTTP client and backoff.
export { backoffDelay, DEFAULT_RETRY, parseRetryAfter, sleep, type RetryPolicy } from './backoff.ts';
export { drain, header, readBody, readTextPrefix, sendRequest, type HttpBody, type HttpMethod, type HttpRequest, type HttpResponse, type TlsOptions } from './request.ts';
