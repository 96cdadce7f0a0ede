import { Parser } from 'htmlparser2';

/**
 * The links of an HTML index page (Apache, nginx, lighttpd autoindex or any page with
 * anchors): the href of every <a>, entity-decoded, in document order.
 */
export function indexLinks(html: string): string[] {
  const out: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'a' && typeof attrs.href === 'string' && attrs.href.trim() !== '') out.push(attrs.href.trim());
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return out;
}
