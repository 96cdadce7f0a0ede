/**
 * The small XML-RPC subset SAMP uses (SAMP 1.3 §3.3): every value is a string, a list or a
 * map. Encoding is plain string building; decoding uses the browser's DOMParser.
 */

export type SampValue = string | SampValue[] | { [key: string]: SampValue };

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function encodeValue(v: SampValue): string {
  if (typeof v === 'string') return `<value><string>${escape(v)}</string></value>`;
  if (Array.isArray(v)) return `<value><array><data>${v.map(encodeValue).join('')}</data></array></value>`;
  return `<value><struct>${Object.entries(v)
    .map(([k, x]) => `<member><name>${escape(k)}</name>${encodeValue(x)}</member>`)
    .join('')}</struct></value>`;
}

export function encodeCall(method: string, params: readonly SampValue[]): string {
  return `<?xml version="1.0"?><methodCall><methodName>${escape(method)}</methodName><params>${params
    .map((p) => `<param>${encodeValue(p)}</param>`)
    .join('')}</params></methodCall>`;
}

/** A fault the hub answered (SAMP errors, a refused registration). */
export class XmlRpcFault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function children(e: Element): Element[] {
  return [...e.children];
}

export function decodeValue(value: Element): SampValue {
  const inner = children(value)[0];
  // <value>text</value> without a type element is a string
  if (!inner) return value.textContent ?? '';
  switch (inner.tagName) {
    case 'string':
      return inner.textContent ?? '';
    case 'array': {
      const data = children(inner).find((c) => c.tagName === 'data');
      return data
        ? children(data)
            .filter((c) => c.tagName === 'value')
            .map(decodeValue)
        : [];
    }
    case 'struct': {
      const out: Record<string, SampValue> = {};
      for (const m of children(inner).filter((c) => c.tagName === 'member')) {
        const name = children(m).find((c) => c.tagName === 'name')?.textContent ?? '';
        const v = children(m).find((c) => c.tagName === 'value');
        out[name] = v ? decodeValue(v) : '';
      }
      return out;
    }
    case 'nil':
      return '';
    default:
      // int, boolean, double from hubs that are lax about SAMP's string-only rule
      return inner.textContent ?? '';
  }
}

/** The value of a methodResponse, or a thrown XmlRpcFault. */
export function decodeResponse(xml: string): SampValue {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  if (doc.getElementsByTagName('parsererror').length > 0) throw new Error('the SAMP hub sent malformed XML');
  const fault = doc.querySelector('methodResponse > fault > value');
  if (fault) {
    const f = decodeValue(fault) as Record<string, SampValue>;
    throw new XmlRpcFault(String(f.faultCode ?? ''), String(f.faultString ?? 'the SAMP hub refused the call'));
  }
  const v = doc.querySelector('methodResponse > params > param > value');
  return v ? decodeValue(v) : '';
}
