// Descriptions as both services keep them: HTML or plain text. Canonical descriptions are plain text
// (docs/sync.md "Descriptions"), so the sync compares texts and writes only when the text changed:
// an HTML body whose text is unchanged is never rewritten.
//
// - Outlook event bodies are HTML or text (`itemBody.contentType`); To Do answers text and takes only
//   HTML on update (docs-contrib api/todotask-update.md).
// - Oro keeps whatever the API was sent, and its own edit screens use a WYSIWYG editor
//   (OroCalendarBundle Form/Type/CalendarEventType.php and OroCRMTaskBundle Form/Type/TaskType.php:
//   `OroResizeableRichTextType`), so stored descriptions are often HTML. Oro shows them sanitized as HTML
//   when `oro_form.wysiwyg_enabled` is on, else `strip_tags` + `nl2br` (UIBundle macro
//   `renderSwitchableHtmlProperty`). We therefore write HTML lines joined by `<br>` plus a newline, which
//   reads right either way.

const LOOKS_LIKE_HTML = /<\/?[a-z][a-z0-9]*(?:\s[^>]*)?\/?>|<!--|&(?:[a-z]+|#\d+|#x[0-9a-f]+);/i;
// Block boundaries are soft breaks (adjacent ones make one line break); `<br>` is a hard one.
const BLOCK_EDGE = /<\/?(?:p|div|li|tr|h[1-6]|blockquote|pre|table|ul|ol|dl|dt|dd|body)(?:\s[^>]*)?>/gi;
const LINE_BREAK = /<br(?:\s[^>]*)?\/?>/gi;
const SOFT = '\u0001';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function looksLikeHtml(text: string): boolean {
  return LOOKS_LIKE_HTML.test(text);
}

/**
 * Canonical text: line ends `\n`, spaces within a line collapsed and trimmed, at most one blank line
 * in a row, trimmed; empty is null. (HTML collapses white space the same way, so a text survives
 * text → HTML → text unchanged.)
 */
export function normalizeText(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[ \t\f\v\u00a0]+/g, ' ').trim());
  const kept: string[] = [];
  for (const line of lines) if (line !== '' || (kept.length > 0 && kept[kept.length - 1] !== '')) kept.push(line);
  const out = kept.join('\n').trim();
  return out === '' ? null : out;
}

/** The text a reader sees in an HTML document or fragment (tags dropped, blocks on their own lines). */
export function htmlToText(html: string): string | null {
  const body = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(head|style|script|title)(?:\s[^>]*)?>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/\s+/g, ' ')
    .replace(BLOCK_EDGE, SOFT)
    .replace(LINE_BREAK, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/[\u0001 ]*\u0001[\u0001 ]*/g, SOFT)
    .replace(/\n *\u0001/g, '\n')
    .replace(/\u0001/g, '\n');
  return normalizeText(decodeEntities(body));
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** A description as the service stored it (HTML or plain), as canonical text. */
export function descriptionText(stored: string | null | undefined, isHtml?: boolean): string | null {
  if (stored === null || stored === undefined) return null;
  return (isHtml ?? looksLikeHtml(stored)) ? htmlToText(stored) : normalizeText(stored);
}

/** Canonical text as HTML: escaped, one `<br>` per line break. */
export function textToHtml(text: string | null): string {
  if (text === null) return '';
  return text
    .split('\n')
    .map((l) => l.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))
    .join('<br>\n');
}
