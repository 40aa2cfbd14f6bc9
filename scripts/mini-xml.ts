// A minimal, strict XML reader for small trusted documents (the add-in manifest): elements, attributes,
// namespaces, text, comments, CDATA and the five predefined entities plus character references.
// No DTDs, no processing beyond the XML declaration. Malformed input throws with the line number.

export interface XmlElement {
  /** The name as written, e.g. "bt:Image". */
  name: string;
  /** The local part, e.g. "Image". */
  local: string;
  /** The resolved namespace URI ('' when none). */
  ns: string;
  /** Attributes by the name as written (xmlns declarations included). */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text directly inside this element, trimmed. */
  text: string;
  /** 1-based line of the start tag, for messages. */
  line: number;
  parent?: XmlElement;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?/;

function decode(text: string, lineOf: () => number): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);|&/g, (whole, ref: string | undefined) => {
    if (!ref) throw new Error(`line ${lineOf()}: bare "&" (write &amp;)`);
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const value = ENTITIES[ref];
    if (value === undefined) throw new Error(`line ${lineOf()}: unknown entity ${whole}`);
    return value;
  });
}

export function parseXml(source: string): XmlElement {
  let pos = 0;
  const lineAt = (at: number) => source.slice(0, at).split('\n').length;
  const fail = (message: string): never => {
    throw new Error(`line ${lineAt(pos)}: ${message}`);
  };
  const stack: XmlElement[] = [];
  const nsStack: Array<Record<string, string>> = [{ xml: 'http://www.w3.org/XML/1998/namespace' }];
  const texts: string[][] = [];
  let root: XmlElement | undefined;

  const resolve = (prefix: string, scope: Record<string, string>, what: string): string => {
    const uri = scope[prefix];
    if (uri === undefined) {
      if (prefix === '') return '';
      fail(`undeclared namespace prefix "${prefix}" in ${what}`);
    }
    return uri ?? '';
  };

  if (source.charCodeAt(0) === 0xfeff) pos = 1;
  while (pos < source.length) {
    if (source.startsWith('<?', pos)) {
      const end = source.indexOf('?>', pos);
      if (end < 0) fail('unterminated processing instruction');
      pos = end + 2;
    } else if (source.startsWith('<!--', pos)) {
      const end = source.indexOf('-->', pos);
      if (end < 0) fail('unterminated comment');
      pos = end + 3;
    } else if (source.startsWith('<![CDATA[', pos)) {
      const end = source.indexOf(']]>', pos);
      if (end < 0) fail('unterminated CDATA section');
      if (!stack.length) fail('CDATA outside the root element');
      texts[texts.length - 1].push(source.slice(pos + 9, end));
      pos = end + 3;
    } else if (source.startsWith('<!', pos)) {
      fail('DOCTYPE and declarations are not supported');
    } else if (source.startsWith('</', pos)) {
      const match = NAME.exec(source.slice(pos + 2));
      if (!match) fail('bad closing tag');
      const name = match![0];
      const open = stack.pop();
      if (!open) fail(`closing tag </${name}> without an opening tag`);
      if (open!.name !== name) fail(`</${name}> closes <${open!.name}> (line ${open!.line})`);
      pos += 2 + name.length;
      while (/\s/.test(source[pos] ?? '')) pos++;
      if (source[pos] !== '>') fail(`expected ">" after </${name}`);
      pos++;
      open!.text = texts.pop()!.join('').trim();
      nsStack.pop();
    } else if (source[pos] === '<') {
      const start = pos;
      const match = NAME.exec(source.slice(pos + 1));
      if (!match) fail('bad start tag');
      const name = match![0];
      pos += 1 + name.length;
      const attrs: Record<string, string> = {};
      let selfClosing = false;
      for (;;) {
        const ws = /^\s*/.exec(source.slice(pos))![0].length;
        pos += ws;
        if (source.startsWith('/>', pos)) {
          selfClosing = true;
          pos += 2;
          break;
        }
        if (source[pos] === '>') {
          pos++;
          break;
        }
        if (!ws) fail(`expected whitespace, ">" or "/>" in <${name}>`);
        const attr = NAME.exec(source.slice(pos));
        if (!attr) fail(`bad attribute in <${name}>`);
        pos += attr![0].length;
        const eq = /^\s*=\s*(["'])/.exec(source.slice(pos));
        if (!eq) fail(`attribute ${attr![0]} in <${name}> needs ="value"`);
        pos += eq![0].length;
        const close = source.indexOf(eq![1], pos);
        if (close < 0) fail(`unterminated value of ${attr![0]}`);
        if (attr![0] in attrs) fail(`duplicate attribute ${attr![0]} in <${name}>`);
        const raw = source.slice(pos, close);
        if (raw.includes('<')) fail(`"<" in the value of ${attr![0]}`);
        attrs[attr![0]] = decode(raw, () => lineAt(pos));
        pos = close + 1;
      }
      const scope = { ...nsStack[nsStack.length - 1] };
      for (const [key, value] of Object.entries(attrs)) {
        if (key === 'xmlns') scope[''] = value;
        else if (key.startsWith('xmlns:')) scope[key.slice(6)] = value;
      }
      const colon = name.indexOf(':');
      const element: XmlElement = {
        name,
        local: colon < 0 ? name : name.slice(colon + 1),
        ns: resolve(colon < 0 ? '' : name.slice(0, colon), scope, `<${name}>`),
        attrs,
        children: [],
        text: '',
        line: lineAt(start),
      };
      const parent = stack[stack.length - 1];
      if (parent) {
        element.parent = parent;
        parent.children.push(element);
      } else if (root) {
        fail('more than one root element');
      } else {
        root = element;
      }
      if (!selfClosing) {
        stack.push(element);
        nsStack.push(scope);
        texts.push([]);
      }
    } else {
      const next = source.indexOf('<', pos);
      const end = next < 0 ? source.length : next;
      const text = source.slice(pos, end);
      if (stack.length) texts[texts.length - 1].push(decode(text, () => lineAt(pos)));
      else if (text.trim()) fail('text outside the root element');
      pos = end;
    }
  }
  if (stack.length) throw new Error(`unclosed element <${stack[stack.length - 1].name}> (line ${stack[stack.length - 1].line})`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every element below (and including) `root`, depth first, document order. */
export function descendants(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [root];
  for (const child of root.children) out.push(...descendants(child));
  return out;
}

/** An attribute by local name, whatever its prefix (e.g. "type" finds xsi:type). */
export function attrByLocal(element: XmlElement, local: string): string | undefined {
  for (const [key, value] of Object.entries(element.attrs)) {
    if (key.startsWith('xmlns')) continue;
    if (key === local || key.endsWith(`:${local}`)) return value;
  }
  return undefined;
}
