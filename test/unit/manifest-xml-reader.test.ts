// The small XML reader the manifest check stands on.
import { descendants, parseXml } from '../../scripts/mini-xml';

describe('parseXml', () => {
  it('resolves default and prefixed namespaces, decodes entities and skips comments', () => {
    const root = parseXml(
      '<?xml version="1.0"?>\n<!-- c --><a xmlns="urn:a" xmlns:b="urn:b"><b:c x="1 &amp; 2">T &lt;&#65;&#x42;&gt;<!-- no --></b:c><d xmlns="urn:d"/></a>',
    );
    const [c, d] = root.children;
    expect([root.ns, c.ns, c.local, d.ns]).toEqual(['urn:a', 'urn:b', 'c', 'urn:d']);
    expect(c.attrs.x).toBe('1 & 2');
    expect(c.text).toBe('T <AB>');
    expect(descendants(root).map((e) => e.name)).toEqual(['a', 'b:c', 'd']);
  });

  it('reports the line of a mismatched closing tag, an undeclared prefix and a bare ampersand', () => {
    expect(() => parseXml('<a>\n<b></c></a>')).toThrow(/line 2: <\/c> closes <b>/);
    expect(() => parseXml('<x:a/>')).toThrow(/undeclared namespace prefix "x"/);
    expect(() => parseXml('<a>&</a>')).toThrow(/bare "&"/);
    expect(() => parseXml('<a><b></a>')).toThrow(/closes <b>/);
    expect(() => parseXml('<a/><b/>')).toThrow(/more than one root element/);
  });
});
