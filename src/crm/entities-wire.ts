// Zod schemas of the Oro entity answers the CRM side reads (oro-api.md §1–3, §7). Anything that
// does not fit becomes a MalformedResponseError at the edge, never a guess.
import { z } from 'zod';
import { MalformedResponseError } from '../sync/errors';

const nullableString = z.string().nullable().optional().transform((v) => v ?? null);
const ref = z.object({ type: z.string(), id: z.string() });
const relationship = z.object({ data: z.union([ref, z.array(ref), z.null()]) }).passthrough();

export const resourceSchema = z
  .object({
    type: z.string(),
    id: z.string(),
    attributes: z.record(z.string(), z.unknown()).optional().default({}),
    relationships: z.record(z.string(), relationship).optional().default({}),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();
export type OroResource = z.infer<typeof resourceSchema>;

/** A JSON:API document whose `data` is a list (GET list, sync batch answer). */
export const listDocumentSchema = z.object({ data: z.array(resourceSchema), included: z.array(resourceSchema).optional().default([]) }).passthrough();

/** Oro datetimes: `YYYY-MM-DDTHH:MM:SSZ`, or an offset form from the legacy API. */
export const oroDateTimeSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/, 'a datetime');
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date');

export const contactAttributesSchema = z
  .object({
    namePrefix: nullableString,
    firstName: nullableString,
    middleName: nullableString,
    lastName: nullableString,
    nameSuffix: nullableString,
    gender: z.enum(['male', 'female']).nullable().optional().transform((v) => v ?? null),
    birthday: dateSchema.nullable().optional().transform((v) => v ?? null),
    description: nullableString,
    jobTitle: nullableString,
    fax: nullableString,
    primaryEmail: nullableString,
    primaryPhone: nullableString,
    emails: z.array(z.object({ email: z.string() })).nullable().optional().transform((v) => v ?? []),
    phones: z.array(z.object({ phone: z.string() })).nullable().optional().transform((v) => v ?? []),
    externalId: nullableString,
    createdAt: oroDateTimeSchema.nullable().optional(),
    updatedAt: oroDateTimeSchema,
  })
  .passthrough();

export const addressAttributesSchema = z
  .object({
    primary: z.boolean().nullable().optional(),
    street: nullableString,
    street2: nullableString,
    city: nullableString,
    postalCode: nullableString,
    customRegion: nullableString,
  })
  .passthrough();

/** A `regions` resource's attributes (platform AddressBundle RegionTest: `code`, `name`). */
export const regionAttributesSchema = z.object({ code: z.string(), name: z.string() }).passthrough();

export const taskAttributesSchema = z
  .object({
    subject: z.string(),
    description: nullableString,
    dueDate: oroDateTimeSchema.nullable().optional().transform((v) => v ?? null),
    createdAt: oroDateTimeSchema.nullable().optional(),
    updatedAt: oroDateTimeSchema,
  })
  .passthrough();

/** One reminder of a legacy event (platform ReminderBundle Model/ReminderInterval.php units). */
const oroReminderSchema = z.object({
  method: z.string(),
  interval: z.object({ number: z.coerce.number().int().min(0), unit: z.enum(['M', 'H', 'D', 'W']) }),
});

/** A legacy calendar event (oro-api.md §3). */
export const legacyEventSchema = z
  .object({
    id: z.number().int(),
    uid: z.string().nullable().optional(),
    calendar: z.number().int().nullable().optional(),
    title: z.string(),
    start: oroDateTimeSchema,
    end: oroDateTimeSchema,
    allDay: z.boolean(),
    description: nullableString,
    // ReminderManager::applyReminders sets the key only when the event has reminders.
    reminders: z.array(oroReminderSchema).nullable().optional().transform((v) => v ?? []),
    createdAt: oroDateTimeSchema.nullable().optional(),
    updatedAt: oroDateTimeSchema,
  })
  .passthrough();
export type LegacyEvent = z.infer<typeof legacyEventSchema>;

export const legacyEventListSchema = z.array(legacyEventSchema);
export const eventWriteAnswerSchema = z.object({ id: z.number().int().optional(), uid: z.string().optional() }).passthrough();
/** GET /api/userprofile: Oro's JSON:API resource for the signed-in user; its id is the user's id. */
export const userProfileSchema = z.object({ data: z.object({ type: z.literal('userprofile'), id: z.string().regex(/^\d+$/) }).passthrough() }).passthrough();

export const defaultCalendarSchema = z.object({ calendar: z.number().int(), owner: z.number().int() }).passthrough();

/** A legacy audit row (oro-api.md §7); objectId may be a string (its DB column) or a number. */
export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    action: z.string(),
    objectClass: z.string(),
    objectId: z.union([z.string(), z.number()]).transform((v) => String(v)),
    loggedAt: oroDateTimeSchema,
  })
  .passthrough();
export const auditListSchema = z.array(auditEntrySchema);
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Parses `body` or throws MalformedResponseError naming what was being read. */
export function parseWire<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedResponseError(`The CRM answered ${what} with an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}).`);
  }
  return parsed.data;
}

/** An `asyncoperations` resource (documentation api/batch-api.rst): a batch Oro finishes later. */
export const asyncOperationDocumentSchema = z.object({
  data: z
    .object({
      type: z.literal('asyncoperations'),
      id: z.string(),
      attributes: z.object({ status: z.enum(['new', 'running', 'failed', 'success', 'cancelled']) }).passthrough(),
    })
    .passthrough(),
});

/** `GET /api/asyncoperations/{id}/errors`: the problems of a failed operation, pointers into the batch sent. */
export const asyncOperationErrorsSchema = z.object({
  data: z.array(
    z
      .object({
        type: z.literal('asyncoperationerrors'),
        attributes: z
          .object({
            status: z.union([z.number(), z.string()]).optional(),
            title: z.string().optional(),
            detail: z.string().optional(),
            source: z.object({ pointer: z.string().optional() }).passthrough().nullable().optional(),
          })
          .passthrough(),
      })
      .passthrough(),
  ),
});
