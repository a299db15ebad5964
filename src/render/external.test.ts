import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { External } from '../domain/external.ts';
import { defaultRenderSettings } from '../../test/support/render-settings.ts';
import { renderExternalFile, renderExternalObjects } from './external.ts';
import { validateObjects } from './validate/index.ts';

const settings = defaultRenderSettings();

describe('renderExternalObjects', () => {
  it('gives an IPv4 address a Service without selector and an EndpointSlice that validate', () => {
    const objects = renderExternalObjects(External.parse({ name: 'nas', address: '192.168.1.20', port: 445 }), settings);
    expect(objects).toEqual([
      {
        apiVersion: 'v1', kind: 'Service',
        metadata: { name: 'nas', namespace: 'dynamic-apps', labels: { 'app.kubernetes.io/name': 'nas', 'app.kubernetes.io/managed-by': 'slipway', 'slipway.dev/external': 'nas' } },
        spec: { ports: [{ name: 'tcp', protocol: 'TCP', port: 445, targetPort: 445 }] },
      },
      {
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
        metadata: {
          name: 'nas', namespace: 'dynamic-apps',
          labels: { 'app.kubernetes.io/name': 'nas', 'app.kubernetes.io/managed-by': 'slipway', 'slipway.dev/external': 'nas', 'kubernetes.io/service-name': 'nas' },
        },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['192.168.1.20'], conditions: { ready: true } }],
        ports: [{ name: 'tcp', protocol: 'TCP', port: 445 }],
      },
    ]);
    expect(validateObjects(objects)).toEqual([]);
  });

  it('gives an IPv6 address an IPv6 EndpointSlice, with the protocol asked for', () => {
    const objects = renderExternalObjects(External.parse({ name: 'printer', address: 'FD00::631', port: '631', protocol: 'UDP' }), settings);
    expect(objects[1]).toMatchObject({ addressType: 'IPv6', endpoints: [{ addresses: ['fd00::631'] }], ports: [{ name: 'udp', protocol: 'UDP', port: 631 }] });
    expect(validateObjects(objects)).toEqual([]);
  });

  it('gives a host name an ExternalName Service and no EndpointSlice', () => {
    const objects = renderExternalObjects(External.parse({ name: 'mail', address: 'smtp.example.com', port: 587 }), settings);
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({ kind: 'Service', spec: { type: 'ExternalName', externalName: 'smtp.example.com', ports: [{ port: 587 }] } });
    expect(validateObjects(objects)).toEqual([]);
  });

  it('catches what Kubernetes would refuse: the schema check is real', () => {
    const [service, slice] = renderExternalObjects(External.parse({ name: 'nas', address: '192.168.1.20', port: 445 }), settings);
    expect(validateObjects([{ ...slice!, addressType: undefined }]).map((p) => p.path)).toContain('addressType');
    expect(validateObjects([{ ...service!, spec: { ports: [{ port: '445' }] } }]).length).toBeGreaterThan(0);
  });

  it('writes one file under externals/ in the GitOps folder, the same bytes each time', () => {
    const nas = External.parse({ name: 'nas', address: '192.168.1.20', port: 445 });
    const file = renderExternalFile(nas, settings);
    expect(file.path).toBe('kubernetes/apps/dynamic/externals/nas.yaml');
    expect(parseAllDocuments(file.content).map((d) => d.toJS().kind)).toEqual(['Service', 'EndpointSlice']);
    expect(renderExternalFile(nas, settings).content).toBe(file.content);
  });
});

describe('External', () => {
  it.each([
    [{ name: 'NAS', address: '192.168.1.20', port: 445 }, /DNS label/],
    [{ name: 'nas', address: '192.168.1.300', port: 445 }, /IPv4 or IPv6 address/],
    [{ name: 'nas', address: 'nas lan', port: 445 }, /IPv4 or IPv6 address/],
    [{ name: 'nas', address: '192.168.1.20', port: 0 }, /between 1 and 65535/],
    [{ name: 'nas', address: '192.168.1.20', port: 70000 }, /between 1 and 65535/],
    [{ name: 'nas', address: '192.168.1.20', port: 445, protocol: 'SCTP' }, /TCP|UDP/],
  ])('refuses %o', (input, message) => {
    const result = External.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join('; ')).toMatch(message);
  });
});
