// Issue 4: "Before overwriting an item, the engine checks whether that item changed since its base (a batched
// read of the current versions just before the write ...). So a change that the other side's poll has not
// seen yet is merged, never blindly overwritten." Here the other side is edited after this cycle read its
// own changes and before it writes, and that other side's poll never runs in between.
import type { SyncSide } from '../../src/sync/side';
import { makeWorld, person, settingsWith, type World } from './engine-helpers';

/** Runs `edit` right after `side` answers its next change read (the cycle has its page, nothing written yet). */
function afterNextChangeRead(side: SyncSide, edit: () => void): void {
  const original = side.readChanges.bind(side);
  let done = false;
  side.readChanges = (async (type, checkpoint) => {
    const page = await original(type, checkpoint);
    if (!done) {
      done = true;
      edit();
    }
    return page;
  }) as SyncSide['readChanges'];
}

async function linkedAnn(w: World): Promise<{ crmId: string; outlookId: string }> {
  const crmId = w.crm.userCreate('contact', person('Ann', 'Lee', { jobTitle: 'Buyer', phone: '100' }));
  await w.engine.syncNow();
  await w.engine.syncNow();
  const [o] = w.outlook.all('contact');
  expect(o.crmId).toBe(crmId);
  return { crmId, outlookId: o.id };
}

describe('the engine re-reads the item it is about to overwrite', () => {
  test('CRM cycle: an Outlook edit of another field made after the CRM read is merged into both sides, not lost', async () => {
    const w = await makeWorld();
    const { crmId, outlookId } = await linkedAnn(w);
    w.crm.userUpdate('contact', crmId, { jobTitle: 'CEO' });
    afterNextChangeRead(w.crm, () => w.outlook.userUpdate('contact', outlookId, { phone: '555' }));

    await w.engine.runCrmCycle(); // the Outlook poll does not run: only the re-read can see the phone

    expect(w.outlook.find('contact', outlookId)!.record).toEqual(expect.objectContaining({ jobTitle: 'CEO', phone: '555' }));
    expect(w.crm.find('contact', crmId)!.record).toEqual(expect.objectContaining({ jobTitle: 'CEO', phone: '555' }));
    expect(await w.store.conflicts()).toEqual([]);
  });

  test('CRM cycle: the same field edited in Outlook after the CRM read goes to the rule winner (Outlook always wins) and is logged', async () => {
    const w = await makeWorld(settingsWith({ contacts_conflict_resolution: 'OutlookAlwaysWins' }));
    const { crmId, outlookId } = await linkedAnn(w);
    w.crm.userUpdate('contact', crmId, { jobTitle: 'CEO' });
    afterNextChangeRead(w.crm, () => w.outlook.userUpdate('contact', outlookId, { jobTitle: 'Owner' }));

    await w.engine.runCrmCycle();

    expect(w.outlook.find('contact', outlookId)!.record.jobTitle).toBe('Owner');
    expect(w.crm.find('contact', crmId)!.record.jobTitle).toBe('Owner');
    expect(await w.store.conflicts()).toEqual([
      expect.objectContaining({ item: 'Ann Lee', fields: ['jobTitle'], rule: 'Outlook always wins', winner: 'outlook', losingValues: { jobTitle: 'CEO' } }),
    ]);
  });

  test('Outlook cycle: a CRM edit made after the Outlook read is merged, not overwritten', async () => {
    const w = await makeWorld();
    const { crmId, outlookId } = await linkedAnn(w);
    w.outlook.userUpdate('contact', outlookId, { phone: '555' });
    afterNextChangeRead(w.outlook, () => w.crm.userUpdate('contact', crmId, { jobTitle: 'CEO' }));

    await w.engine.runOutlookCycle(); // the CRM poll does not run

    expect(w.crm.find('contact', crmId)!.record).toEqual(expect.objectContaining({ jobTitle: 'CEO', phone: '555' }));
    expect(w.outlook.find('contact', outlookId)!.record).toEqual(expect.objectContaining({ jobTitle: 'CEO', phone: '555' }));
  });

  test('the later polls of both sides find nothing left to do: the merge recorded the versions it wrote', async () => {
    const w = await makeWorld();
    const { crmId, outlookId } = await linkedAnn(w);
    w.crm.userUpdate('contact', crmId, { jobTitle: 'CEO' });
    afterNextChangeRead(w.crm, () => w.outlook.userUpdate('contact', outlookId, { phone: '555' }));
    await w.engine.runCrmCycle();
    const sent = { crm: { ...w.crm.sent }, outlook: { ...w.outlook.sent } };

    await w.engine.syncNow();

    expect({ crm: w.crm.sent, outlook: w.outlook.sent }).toEqual(sent);
    expect(w.crm.find('contact', crmId)!.record).toEqual(w.outlook.find('contact', outlookId)!.record);
  });

  test('under OroCRMToOutlook the same late Outlook edit is overwritten, as the table says (CRM overwrites Outlook)', async () => {
    const w = await makeWorld(settingsWith({ contacts_sync_direction: 'OroCRMToOutlook' }));
    const { crmId, outlookId } = await linkedAnn(w);
    w.crm.userUpdate('contact', crmId, { jobTitle: 'CEO' });
    afterNextChangeRead(w.crm, () => w.outlook.userUpdate('contact', outlookId, { phone: '555' }));

    await w.engine.runCrmCycle();

    expect(w.outlook.find('contact', outlookId)!.record).toEqual(expect.objectContaining({ jobTitle: 'CEO', phone: '100' }));
    expect(w.crm.find('contact', crmId)!.record.phone).toBe('100');
  });
});
