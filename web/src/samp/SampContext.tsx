import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { signFile, uploadFiles } from '../api/files';
import { useToast } from '../app/toasts';
import { localSpectra, parseSpectrumBytes } from '../plot/local-store';
import { pingHub, SampWebClient, type IncomingMessage, type SampMap } from './web-client';

export type SampState = 'unknown' | 'no-hub' | 'hub-found' | 'connecting' | 'connected' | 'error';
export type ReceiveMode = 'ask' | 'plot' | 'save';

export const SEND_MTYPES = {
  spectrum: 'spectrum.load.ssa-generic',
  votable: 'table.load.votable',
  fits: 'table.load.fits',
} as const;

/** What we accept from other tools. */
const RECEIVE_MTYPES = ['spectrum.load.ssa-generic', 'table.load.votable', 'table.load.fits', 'samp.app.ping'];

export interface SampPeer {
  id: string;
  name: string;
  description: string;
  subscriptions: string[];
}

export interface Received {
  id: number;
  sender: string;
  mtype: string;
  url: string;
  name: string;
  state: 'new' | 'plotted' | 'saved' | 'failed' | 'working';
  message: string;
}

interface SampApi {
  state: SampState;
  error: string | null;
  peers: SampPeer[];
  received: Received[];
  mode: ReceiveMode;
  setMode(m: ReceiveMode): void;
  detect(): Promise<boolean>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Send storage files (signed URLs) as spectra or tables; to one peer or everyone who listens. */
  sendFiles(paths: { path: string; name: string }[], recipient?: string): Promise<string>;
  plotReceived(r: Received): Promise<void>;
  saveReceived(r: Received): Promise<void>;
  refreshPeers(): Promise<void>;
}

const Ctx = createContext<SampApi | null>(null);

const MODE_KEY = 'vocloud.samp.receive';
/** Set after a successful connection: the next page load connects again by itself. */
const AUTO_KEY = 'vocloud.samp.auto';

/** The SAMP message for a file, by its name: FITS tables, VOTables, or spectra. */
export function mtypeFor(name: string): string {
  const n = name.toLowerCase();
  if (/\.(vot|votable|xml)$/.test(n)) return SEND_MTYPES.votable;
  return SEND_MTYPES.spectrum;
}

function formatOf(name: string): string {
  const n = name.toLowerCase();
  if (/\.(fits?|fts)(\.gz)?$/.test(n)) return 'application/fits';
  if (/\.(vot|votable|xml)$/.test(n)) return 'application/x-votable+xml';
  if (/\.(csv|txt|dat)$/.test(n)) return 'text/csv';
  return 'application/octet-stream';
}

export function SampProvider({ children }: { children: ReactNode }) {
  const toast = useToast();
  const navigate = useNavigate();
  const [state, setState] = useState<SampState>('unknown');
  const [error, setError] = useState<string | null>(null);
  const [peers, setPeers] = useState<SampPeer[]>([]);
  const [received, setReceived] = useState<Received[]>([]);
  const [mode, setModeState] = useState<ReceiveMode>(() => (localStorage.getItem(MODE_KEY) as ReceiveMode | null) ?? 'ask');
  const client = useRef<SampWebClient | null>(null);
  const modeRef = useRef(mode);
  modeRef.current = mode;
  const nextId = useRef(1);

  const setMode = (m: ReceiveMode) => {
    localStorage.setItem(MODE_KEY, m);
    setModeState(m);
  };

  const refreshPeers = useCallback(async () => {
    const c = client.current;
    if (!c) return;
    const ids = (await c.registeredClients()).filter((id) => id !== c.selfId);
    const list: SampPeer[] = [];
    for (const id of ids) {
      const meta = await c.metadata(id).catch(() => ({}) as SampMap);
      const subs: string[] = [];
      for (const m of Object.values(SEND_MTYPES)) if ((await c.subscribedClients(m).catch(() => [] as string[])).includes(id)) subs.push(m);
      list.push({ id, name: String(meta['samp.name'] ?? id), description: String(meta['samp.description.text'] ?? ''), subscriptions: subs });
    }
    setPeers(list);
  }, []);

  const patchReceived = (id: number, p: Partial<Received>) => setReceived((r) => r.map((x) => (x.id === id ? { ...x, ...p } : x)));

  const fetchReceived = async (r: Received): Promise<Uint8Array> => {
    const c = client.current;
    const res = await fetch(c ? c.translate(r.url) : r.url, { credentials: 'omit' });
    if (!res.ok) throw new Error(`could not fetch ${r.url}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };

  const plotReceived = useCallback(
    async (r: Received) => {
      patchReceived(r.id, { state: 'working', message: 'reading…' });
      try {
        const s = await parseSpectrumBytes(await fetchReceived(r), r.name, `SAMP: ${r.sender}`);
        localSpectra.add(s);
        patchReceived(r.id, { state: 'plotted', message: `${s.flux.length} points in the plotter` });
        navigate('/plot');
      } catch (err) {
        patchReceived(r.id, { state: 'failed', message: `cannot plot: ${(err as Error).message}` });
      }
      // eslint-disable-next-line react-hooks/exhaustive-deps
    },
    [navigate],
  );

  const saveReceived = useCallback(
    async (r: Received) => {
      patchReceived(r.id, { state: 'working', message: 'saving…' });
      try {
        const bytes = await fetchReceived(r);
        const out = await uploadFiles('~/samp', [{ file: new Blob([bytes as BlobPart]), name: r.name }], () => undefined);
        patchReceived(r.id, { state: 'saved', message: `saved as ${out.files[0]?.path ?? '~/samp'}` });
        toast.show(`Saved ${r.name} from ${r.sender} in ~/samp`, 'success');
      } catch (err) {
        patchReceived(r.id, { state: 'failed', message: `cannot save: ${(err as Error).message}` });
      }
      // eslint-disable-next-line react-hooks/exhaustive-deps
    },
    [toast],
  );

  const onMessage = useCallback(
    (m: IncomingMessage) => {
      const c = client.current;
      if (!c) return;
      const mtype = m.message['samp.mtype'];
      const params = m.message['samp.params'] ?? {};
      if (m.msgId) void c.reply(m.msgId, { 'samp.status': 'samp.ok', 'samp.result': {} });
      if (mtype === 'samp.app.ping') return;
      if (mtype.startsWith('samp.hub.event.')) {
        void refreshPeers();
        return;
      }
      const url = String(params.url ?? '');
      if (!url) return;
      const name = String(params.name ?? '') || decodeURIComponent(url.split('?')[0]!.split('/').pop() || 'received');
      const safe = name.replace(/[/\\]/g, '_').slice(0, 200) || 'received';
      const r: Received = { id: nextId.current++, sender: m.sender, mtype, url, name: safe, state: 'new', message: '' };
      void c.metadata(m.sender).then(
        (meta) => patchReceived(r.id, { sender: String(meta['samp.name'] ?? m.sender) }),
        () => undefined,
      );
      setReceived((list) => [r, ...list].slice(0, 50));
      if (modeRef.current === 'plot') void plotReceived(r);
      else if (modeRef.current === 'save') void saveReceived(r);
      else toast.show(`${r.name} arrived over SAMP; open the SAMP page to plot or save it.`);
    },
    [plotReceived, saveReceived, refreshPeers, toast],
  );

  const detect = useCallback(async () => {
    if (client.current) return true;
    const ok = await pingHub();
    setState(ok ? 'hub-found' : 'no-hub');
    return ok;
  }, []);

  const connect = useCallback(async () => {
    if (client.current) return;
    setState('connecting');
    setError(null);
    try {
      const c = await SampWebClient.register('vocloud');
      client.current = c;
      await c.declareMetadata({
        'samp.name': 'vocloud',
        'samp.description.text': 'vocloud: spectra, jobs and files in the browser',
        'samp.homepage.url': window.location.origin,
      });
      await c.declareSubscriptions([
        ...RECEIVE_MTYPES,
        'samp.hub.event.register',
        'samp.hub.event.unregister',
        'samp.hub.event.metadata',
        'samp.hub.event.subscriptions',
      ]);
      await c.receive(onMessage, (err) => {
        client.current = null;
        setState('error');
        setError(`lost the SAMP hub: ${err.message}`);
        setPeers([]);
      });
      setState('connected');
      localStorage.setItem(AUTO_KEY, '1');
      await refreshPeers();
    } catch (err) {
      client.current = null;
      setState('error');
      setError((err as Error).message);
    }
  }, [onMessage, refreshPeers]);

  const disconnect = useCallback(async () => {
    localStorage.removeItem(AUTO_KEY);
    const c = client.current;
    client.current = null;
    setPeers([]);
    setState('unknown');
    await c?.unregister();
  }, []);

  useEffect(() => {
    // after an earlier connection: connect again; with no hub now, ask next time instead
    if (localStorage.getItem(AUTO_KEY) === '1') void detect().then((ok) => (ok ? connect() : localStorage.removeItem(AUTO_KEY)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const bye = () => client.current?.unregisterOnUnload();
    window.addEventListener('pagehide', bye);
    return () => window.removeEventListener('pagehide', bye);
  }, []);

  const sendFiles = useCallback(
    async (files: { path: string; name: string }[], recipient?: string) => {
      if (!client.current) await connect();
      const c = client.current;
      if (!c) throw new Error('not connected to a SAMP hub');
      let sent = 0;
      const to = new Set<string>();
      for (const f of files) {
        const signed = await signFile(f.path, 3600);
        const mtype = mtypeFor(f.name);
        const params: SampMap =
          mtype === SEND_MTYPES.spectrum
            ? {
                url: signed.url,
                'spectrum-id': signed.url,
                name: f.name,
                meta: { 'Access.Reference': signed.url, 'Access.Format': formatOf(f.name), 'Target.Name': f.name },
              }
            : { url: signed.url, 'table-id': signed.url, name: f.name };
        const message = { 'samp.mtype': mtype, 'samp.params': params };
        if (recipient) {
          await c.notify(recipient, message);
          to.add(recipient);
        } else {
          for (const id of await c.notifyAll(message)) to.add(id);
        }
        sent++;
      }
      if (to.size === 0) return `Sent ${sent} file(s), but no SAMP tool listens for them. Start TOPCAT or SPLAT and try again.`;
      const names = await Promise.all([...to].map(async (id) => String((await c.metadata(id).catch(() => ({}) as SampMap))['samp.name'] ?? id)));
      return `Sent ${sent} file(s) to ${names.join(', ')}.`;
    },
    [connect],
  );

  const value = useMemo<SampApi>(
    () => ({ state, error, peers, received, mode, setMode, detect, connect, disconnect, sendFiles, plotReceived, saveReceived, refreshPeers }),
    [state, error, peers, received, mode, detect, connect, disconnect, sendFiles, plotReceived, saveReceived, refreshPeers],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSamp(): SampApi {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSamp outside SampProvider');
  return v;
}
