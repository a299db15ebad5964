import { expect } from 'vitest';
import { jsonOf } from './serve.ts';

/** The response as an RFC 9457 problem: its content type, and the status repeated in the body. */
export async function problemOf(response: Response, status: number): Promise<Record<string, any>> {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = await jsonOf(response);
  expect({ status: response.status, bodyStatus: body.status }).toEqual({ status, bodyStatus: status });
  expect(body.type).toMatch(/^https:\/\/slipway\.dev\/problems\/[a-z0-9-]+$/);
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  return body;
}
