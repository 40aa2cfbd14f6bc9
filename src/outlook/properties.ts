// MAPI properties we read and write through Graph's singleValueExtendedProperties (graph-api.md §6).
/** The CRM id stamp on contacts and events; PS_PUBLIC_STRINGS named property. */
export const CRM_ID_PROPERTY = 'String {00020329-0000-0000-C000-000000000046} Name OroCRM_id';
/**
 * Contact gender has no first-class Graph field: PidTagGender, 0 unspecified, 1 female, 2 male. It is
 * PT_I2, so its type is `Short`; Exchange refuses another type for a known tag (400 ErrorInvalidExtendedProperty).
 */
export const GENDER_PROPERTY = 'Short 0x3A4D';
/** Contact fax has no first-class Graph field: PidTagBusinessFaxNumber. */
export const FAX_PROPERTY = 'String 0x3A24';
/** To Do tasks have no extended properties in v1.0: the stamp is a linkedResource of this application. */
export const LINKED_RESOURCE_APPLICATION = 'OroCRM';
/** Dedicated containers, so personal items never leak into the CRM (sync-design.md). */
export const CONTACT_FOLDER_NAME = 'OroCRM';
export const TODO_LIST_NAME = 'OroCRM';
