import { decodeResponse, encodeCall, type SampValue } from './xmlrpc';

/** Where a SAMP Web Profile hub listens (SAMP 1.3 §5.2: always this port). */
export const WEB_HUB_URL = 'http://localhost:21012/';

export type SampMap = { [key: string]: SampValue };

export interface SampMessage {
  'samp.mtype': string;
  'samp.params': SampMap;
}

/** What the hub hands back when a web client pulls its callbacks. */
interface Callback {
  'samp.methodName': string;
  'samp.params': SampValue[];
}

export interface IncomingMessage {
  readonly sender: string;
  readonly message: SampMessage;
  /** Set for calls (a reply is expected); absent for notifications. */
  readonly msgId?: string;
}

async function call(method: string, params: readonly SampValue[], signal?: AbortSignal): Promise<SampValue> {
  const res = await fetch(WEB_HUB_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml' },
    body: encodeCall(method, params),
    signal,
    credentials: 'omit',
  });
  if (!res.ok) throw new Error(`the SAMP hub answered ${res.status}`);
  return decodeResponse(await res.text());
}

/** Is a Web Profile hub running on this machine? */
export async function pingHub(timeoutMs = 2000): Promise<boolean> {
  const c = new AbortController();
  const t = setTimeout(() => c.abort(), timeoutMs);
  try {
    await call('samp.webhub.ping', [], c.signal);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(t);
  }
}

/**
 * A registered SAMP Web Profile client (SAMP 1.3 §5): register, declare metadata and
 * subscriptions, send, and receive by pulling callbacks. Hubs that long-poll (JSAMP) hold a
 * pull for its timeout; hubs that answer at once (astropy) are asked again after a pause.
 */
export class SampWebClient {
  private running = false;
  private pullAbort: AbortController | null = null;

  private constructor(
    readonly privateKey: string,
    readonly selfId: string,
    readonly hubId: string,
    /** Prefix that makes a URL fetchable from the browser through the hub (CORS). */
    readonly translator: string,
  ) {}

  static async register(name: string): Promise<SampWebClient> {
    const r = (await call('samp.webhub.register', [{ 'samp.name': name }])) as SampMap;
    const key = String(r['samp.private-key'] ?? '');
    if (!key) throw new Error('the SAMP hub did not give a private key');
    return new SampWebClient(key, String(r['samp.self-id'] ?? ''), String(r['samp.hub-id'] ?? ''), String(r['samp.url-translator'] ?? ''));
  }

  private call(method: string, ...params: SampValue[]): Promise<SampValue> {
    return call(`samp.webhub.${method}`, [this.privateKey, ...params]);
  }

  declareMetadata(meta: SampMap): Promise<SampValue> {
    return this.call('declareMetadata', meta);
  }

  declareSubscriptions(mtypes: readonly string[]): Promise<SampValue> {
    return this.call('declareSubscriptions', Object.fromEntries(mtypes.map((m) => [m, {}])));
  }

  async registeredClients(): Promise<string[]> {
    return (await this.call('getRegisteredClients')) as string[];
  }

  async subscribedClients(mtype: string): Promise<string[]> {
    return Object.keys((await this.call('getSubscribedClients', mtype)) as SampMap);
  }

  async metadata(clientId: string): Promise<SampMap> {
    return (await this.call('getMetadata', clientId)) as SampMap;
  }

  notify(recipient: string, message: SampMessage): Promise<SampValue> {
    return this.call('notify', recipient, message as unknown as SampMap);
  }

  async notifyAll(message: SampMessage): Promise<string[]> {
    return (await this.call('notifyAll', message as unknown as SampMap)) as string[];
  }

  reply(msgId: string, response: SampMap): Promise<SampValue> {
    return this.call('reply', msgId, response);
  }

  /** A URL the browser may fetch although it is on another host: through the hub's translator. */
  translate(url: string): string {
    return this.translator ? `${this.translator}${encodeURIComponent(url)}` : url;
  }

  /** Start receiving: `onMessage` gets notifications and calls; `onLost` when the hub goes away. */
  async receive(onMessage: (m: IncomingMessage) => void, onLost: (err: Error) => void): Promise<void> {
    await this.call('allowReverseCallbacks', '1');
    this.running = true;
    void (async () => {
      while (this.running) {
        const started = Date.now();
        try {
          this.pullAbort = new AbortController();
          const callbacks = (await call('samp.webhub.pullCallbacks', [this.privateKey, '10'], this.pullAbort.signal)) as unknown as Callback[];
          for (const cb of Array.isArray(callbacks) ? callbacks : []) {
            const p = cb['samp.params'];
            if (cb['samp.methodName'] === 'receiveNotification') onMessage({ sender: String(p[0]), message: p[1] as unknown as SampMessage });
            else if (cb['samp.methodName'] === 'receiveCall') onMessage({ sender: String(p[0]), msgId: String(p[1]), message: p[2] as unknown as SampMessage });
          }
        } catch (err) {
          if (!this.running) return;
          this.running = false;
          onLost(err as Error);
          return;
        }
        // a hub that answered at once (no long poll) is asked again after a pause
        const waited = Date.now() - started;
        if (waited < 1000) await new Promise((r) => setTimeout(r, 1000 - waited));
      }
    })();
  }

  async unregister(): Promise<void> {
    this.running = false;
    this.pullAbort?.abort();
    await this.call('unregister').catch(() => undefined);
  }

  /** Best effort when the page closes: the request outlives the page. */
  unregisterOnUnload(): void {
    this.running = false;
    void fetch(WEB_HUB_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: encodeCall('samp.webhub.unregister', [this.privateKey]),
      keepalive: true,
      credentials: 'omit',
    }).catch(() => undefined);
  }
}
