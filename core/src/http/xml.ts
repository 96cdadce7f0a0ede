/** The smallest correct XML writer we need: escaping, and no characters XML 1.0 forbids. */

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function escapeXml(value: string): string {
  return value
    .replace(FORBIDDEN, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** True when a string can be carried in XML 1.0 as it is. */
export function isXmlSafe(value: string): boolean {
  FORBIDDEN.lastIndex = 0;
  return !FORBIDDEN.test(value);
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
