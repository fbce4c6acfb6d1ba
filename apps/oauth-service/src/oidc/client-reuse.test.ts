import Provider from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { reuseClientInstances } from './client-reuse.ts';

// A real oidc-provider whose adapter answers Client lookups from `clients`, as our client store does: the same
// frozen object while a client is unchanged, a new one after a change.
function providerWith(clients: Map<string, object>) {
  let adapterReads = 0;
  class Adapter {
    name: string;
    constructor(name: string) {
      this.name = name;
    }
    async find(id: string) {
      if (this.name !== 'Client') return undefined;
      adapterReads++;
      return clients.get(id);
    }
    async upsert() {}
    async findByUid() {}
    async findByUserCode() {}
    async consume() {}
    async destroy() {}
    async revokeByGrantId() {}
  }
  const provider = new Provider('http://localhost', {
    adapter: Adapter as never,
    features: { clientCredentials: { enabled: true } },
  });
  reuseClientInstances(provider, async (id) => clients.get(id));
  return { provider, reads: () => adapterReads };
}

const machine = (secret: string) =>
  Object.freeze({
    client_id: 'machine',
    client_secret: secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  });

describe('reuseClientInstances', () => {
  it('returns the Client built before while the metadata object is the same', async () => {
    const clients = new Map<string, object>([['machine', machine('a'.repeat(43))]]);
    const { provider, reads } = providerWith(clients);
    const first = await provider.Client.find('machine');
    const second = await provider.Client.find('machine');
    expect(first).toBeDefined();
    expect(second).toBe(first);
    expect(reads()).toBe(1);
  });

  it('builds a new Client as soon as the metadata changes (a rotated secret)', async () => {
    const clients = new Map<string, object>([['machine', machine('a'.repeat(43))]]);
    const { provider } = providerWith(clients);
    const before = await provider.Client.find('machine');
    clients.set('machine', machine('b'.repeat(43)));
    const after = await provider.Client.find('machine');
    expect(after).not.toBe(before);
    expect(after?.clientSecret).toBe('b'.repeat(43));
  });

  it('forgets a client that is disabled or deleted', async () => {
    const clients = new Map<string, object>([['machine', machine('a'.repeat(43))]]);
    const { provider } = providerWith(clients);
    expect(await provider.Client.find('machine')).toBeDefined();
    clients.delete('machine');
    expect(await provider.Client.find('machine')).toBeUndefined();
    expect(await provider.Client.find('nobody')).toBeUndefined();
  });
});
