import { useEffect, useRef, useState } from 'react';
import type { Phase, Progress } from './types';

/** What /api/events sends: a job's phase changed, or its progress moved. */
export type JobEvent = { kind: 'job'; id: string; phase: Phase } | { kind: 'progress'; id: string; progress: Progress };

type Listener = (e: JobEvent) => void;
export type StreamStatus = 'connecting' | 'live' | 'closed';

/**
 * One EventSource for the whole page, shared by every component that listens (the browser
 * allows only a few connections per host). It reconnects by itself; listeners are told
 * `reconnected` so they can reload what they might have missed.
 */
class EventHub {
  private source: EventSource | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly reconnectListeners = new Set<() => void>();
  private wasOpen = false;
  private readonly statusListeners = new Set<(s: StreamStatus) => void>();
  status: StreamStatus = 'closed';

  subscribe(l: Listener, onReconnect?: () => void): () => void {
    this.listeners.add(l);
    if (onReconnect) this.reconnectListeners.add(onReconnect);
    this.open();
    return () => {
      this.listeners.delete(l);
      if (onReconnect) this.reconnectListeners.delete(onReconnect);
      if (this.listeners.size === 0) this.close();
    };
  }

  /** After sign-in or sign-out the stream must be opened again with the new cookie. */
  restart(): void {
    this.close();
    if (this.listeners.size > 0) this.open();
  }

  private open(): void {
    if (this.source) return;
    const s = new EventSource('/api/events');
    this.source = s;
    this.setStatus('connecting');
    s.onerror = () => this.setStatus(s.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
    s.addEventListener('hello', () => {
      this.setStatus('live');
      if (this.wasOpen) for (const l of this.reconnectListeners) l();
      this.wasOpen = true;
    });
    s.addEventListener('job', (e) => {
      const d = JSON.parse((e as MessageEvent<string>).data) as { id: string; phase: Phase };
      this.emit({ kind: 'job', id: d.id, phase: d.phase });
    });
    s.addEventListener('progress', (e) => {
      const d = JSON.parse((e as MessageEvent<string>).data) as { id: string; fraction: number | null; message: string | null };
      this.emit({ kind: 'progress', id: d.id, progress: { fraction: d.fraction, message: d.message } });
    });
  }

  private close(): void {
    this.source?.close();
    this.source = null;
    this.wasOpen = false;
    this.setStatus('closed');
  }

  onStatus(l: (s: StreamStatus) => void): () => void {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
  }

  private setStatus(s: StreamStatus): void {
    this.status = s;
    for (const l of this.statusListeners) l(s);
  }

  private emit(e: JobEvent): void {
    for (const l of this.listeners) l(e);
  }
}

export const eventHub = new EventHub();

/** Listen to job events while the component is mounted (no polling). */
export function useJobEvents(listener: Listener, onReconnect?: () => void): void {
  const ref = useRef(listener);
  const again = useRef(onReconnect);
  ref.current = listener;
  again.current = onReconnect;
  useEffect(
    () =>
      eventHub.subscribe(
        (e) => ref.current(e),
        () => again.current?.(),
      ),
    [],
  );
}

/** Whether the event stream is connected, for a small "live" indicator. */
export function useStreamStatus(): StreamStatus {
  const [s, setS] = useState<StreamStatus>(eventHub.status);
  useEffect(() => eventHub.onStatus(setS), []);
  return s;
}
