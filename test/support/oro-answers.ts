// How the CRM answers what a client stored, for mapping round-trip tests: the JSON:API resource Oro returns
// for a written contact, with its addresses as `included` resources (oro-api.md §1).
import type { OroResource } from '../../src/crm/entities-wire';
import type { OroContactInput } from '../../src/crm/mapping';

/** Oro's answer for a stored contact: the written attributes (as JSON carries them) plus the server's timestamps. */
export function oroStoredContact(input: OroContactInput): { resource: OroResource; included: OroResource[] } {
  const included: OroResource[] = (input.addresses ?? []).map((a, i) => ({
    type: 'contactaddresses',
    id: String(i + 10),
    attributes: { ...a.attributes, street2: null, label: null },
    relationships: {
      types: { data: a.types.map((t) => ({ type: 'addresstypes', id: t })) },
      country: { data: a.country ? { type: 'countries', id: a.country } : null },
      region: { data: a.region ? { type: 'regions', id: a.region } : null },
    },
  }));
  const resource: OroResource = {
    type: 'contacts',
    id: '1',
    attributes: { ...JSON.parse(JSON.stringify(input.attributes)), createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z' },
    relationships: { addresses: { data: included.map((r) => ({ type: r.type, id: r.id })) } },
  };
  return { resource, included };
}
