import fc from 'fast-check';
import { earliestReminder, intervalOf, reminderMinutes, withEarliestReminder, type OroReminder } from '../../src/crm/reminders';
import { descriptionText, htmlToText, textToHtml } from '../../src/sync/rich-text';
import { canonicalDescription, canonicalReminder } from '../support/descriptions';

describe('descriptions: HTML and plain text compared as text', () => {
  test("an Outlook HTML body reads as the text a reader sees: head and style dropped, blocks and <br> as lines, entities decoded", () => {
    const html =
      '<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n<style type="text/css">p{margin:0}</style>\r\n</head>\r\n' +
      '<body>\r\n<div><b>Agenda</b> for&nbsp;Q3 &amp; Q4</div>\r\n<div><br>\r\n</div>\r\n<ul><li>Budget</li><li>Hiring &lt;2&gt;</li></ul><p>Bring   the\r\n slides<br>and coffee</p>\r\n</body>\r\n</html>';
    expect(htmlToText(html)).toBe('Agenda for Q3 & Q4\n\nBudget\nHiring <2>\nBring the slides\nand coffee');
  });

  test("Oro's editor HTML (<p> paragraphs) and the same words as plain text are one description", () => {
    expect(descriptionText('<p>Call Ann</p><p>Ask about <strong>pricing</strong></p>')).toBe('Call Ann\nAsk about pricing');
    expect(descriptionText('Call Ann\r\nAsk about pricing')).toBe('Call Ann\nAsk about pricing');
    expect(descriptionText('   ')).toBeNull();
    // To Do answers text: an ampersand there is text, not an entity.
    expect(descriptionText('Tom &amp; Jerry', false)).toBe('Tom &amp; Jerry');
  });

  test('every canonical text survives text → HTML → text (so a written description reads back equal and is not written again)', () => {
    fc.assert(fc.property(canonicalDescription, (text) => expect(descriptionText(textToHtml(text), true)).toBe(text)));
    // Oro is not told the format: a single line without markup is stored as plain text.
    fc.assert(fc.property(canonicalDescription, (text) => expect(descriptionText(text === null ? null : textToHtml(text))).toBe(text)));
  });

  test('HTML written for a text escapes markup characters and breaks lines with <br>', () => {
    expect(textToHtml('1 < 2 & 3 > 2\nnext')).toBe('1 &lt; 2 &amp; 3 &gt; 2<br>\nnext');
  });
});

describe("reminders: Oro's earliest ↔ Outlook's one", () => {
  const r = (method: string, number: number, unit: OroReminder['interval']['unit']): OroReminder => ({ method, interval: { number, unit } });

  test("Oro's units are minutes, hours, days and weeks; a count of minutes goes back in the largest exact unit", () => {
    expect([r('email', 2, 'M'), r('email', 2, 'H'), r('email', 2, 'D'), r('email', 2, 'W')].map(reminderMinutes)).toEqual([2, 120, 2880, 20160]);
    expect([0, 15, 90, 120, 1440, 10080, 10081].map(intervalOf)).toEqual([
      { number: 0, unit: 'M' },
      { number: 15, unit: 'M' },
      { number: 90, unit: 'M' },
      { number: 2, unit: 'H' },
      { number: 1, unit: 'D' },
      { number: 1, unit: 'W' },
      { number: 10081, unit: 'M' },
    ]);
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), (m) => expect(reminderMinutes({ method: 'email', interval: intervalOf(m) })).toBe(m)));
  });

  test('the canonical reminder is the earliest of Oro\'s (most minutes before the start); none is null', () => {
    expect(earliestReminder([r('email', 15, 'M'), r('web_socket', 1, 'H')])).toBe(60);
    expect(earliestReminder([])).toBeNull();
  });

  test("an Outlook reminder replaces only Oro's earliest, keeps its method and every other reminder; a new one is web_socket", () => {
    const current = [r('email', 1, 'D'), r('web_socket', 15, 'M')];
    expect(withEarliestReminder(current, 120)).toEqual([r('email', 2, 'H'), r('web_socket', 15, 'M')]);
    expect(withEarliestReminder(current, null)).toEqual([r('web_socket', 15, 'M')]);
    expect(withEarliestReminder([], 30)).toEqual([r('web_socket', 30, 'M')]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('email', 'web_socket'), fc.integer({ min: 0, max: 500 })), { maxLength: 4 }), canonicalReminder, (list, minutes) => {
        const before = list.map(([m, n]) => r(m, n, 'M'));
        const after = withEarliestReminder(before, minutes);
        const others = before.length ? before.length - 1 : 0;
        expect(after.length).toBe(others + (minutes === null ? 0 : 1));
        // Every other reminder stays; one earlier than the new value then stays the earliest.
        const kept = [...before].sort((x, y) => reminderMinutes(y) - reminderMinutes(x)).slice(1);
        expect(after.slice(minutes === null ? 0 : 1)).toEqual(kept.length ? expect.arrayContaining(kept) : []);
        const candidates = [...kept.map(reminderMinutes), ...(minutes === null ? [] : [minutes])];
        expect(earliestReminder(after)).toBe(candidates.length ? Math.max(...candidates) : null);
      }),
    );
  });
});
