import { Link } from 'react-router';
import { useSamp, type ReceiveMode } from '../samp/SampContext';
import { EmptyState, ErrorBox, Spinner } from '../components/ui';

const STATE_TEXT = {
  unknown: 'Not connected. Look for a SAMP hub on this computer, or connect at once.',
  'no-hub': 'No SAMP hub found on this computer.',
  'hub-found': 'A SAMP hub is running. Connect to exchange data with TOPCAT, SPLAT, Aladin and other tools.',
  connecting: 'Connecting… (your hub may ask you to accept vocloud)',
  connected: 'Connected to the SAMP hub.',
  error: 'The SAMP connection failed.',
} as const;

/** SAMP: the hub, the tools on it, and what they sent us. */
export default function SampPage() {
  const samp = useSamp();
  // No probe on page load: a hub that is not there is a failed request, which browsers report in
  // the console. Looking happens when asked (or at once, for someone who connected before).
  const { state, detect } = samp;
  return (
    <section>
      <h1>SAMP</h1>
      <p className="muted">
        SAMP connects vocloud with desktop tools through a hub on your computer (TOPCAT and Aladin include one). Send spectra and tables from{' '}
        <Link to="/files">Files</Link>; tools send theirs here.
      </p>
      <div className="panel" aria-live="polite">
        <p>
          <span className={`status-dot status-${state}`} aria-hidden="true" /> <strong data-samp-state={state}>{STATE_TEXT[state]}</strong>
        </p>
        {samp.error && <ErrorBox error={samp.error} />}
        <div className="actions">
          {state === 'connected' ? (
            <button type="button" onClick={() => void samp.disconnect()}>
              Disconnect
            </button>
          ) : (
            <>
              <button type="button" onClick={() => void detect()}>
                {state === 'unknown' ? 'Look for a hub' : 'Look again'}
              </button>
              <button type="button" className="primary" disabled={state === 'connecting' || state === 'no-hub'} onClick={() => void samp.connect()}>
                Connect
              </button>
            </>
          )}
        </div>
        {state === 'no-hub' && (
          <p className="small muted">
            Start TOPCAT (its hub accepts web clients when you allow it), or run astropy’s <code>samp_hub --web-profile</code>.
          </p>
        )}
      </div>

      <fieldset className="radio-row">
        <legend>When a tool sends a spectrum or table</legend>
        {(
          [
            ['ask', 'list it here'],
            ['plot', 'plot it at once'],
            ['save', 'save it in ~/samp'],
          ] as [ReceiveMode, string][]
        ).map(([m, label]) => (
          <label key={m}>
            <input type="radio" name="receive-mode" value={m} checked={samp.mode === m} onChange={() => samp.setMode(m)} /> {label}
          </label>
        ))}
      </fieldset>

      {state === 'connected' && (
        <section aria-labelledby="peers-head">
          <div className="page-head">
            <h2 id="peers-head">Tools on the hub</h2>
            <button type="button" onClick={() => void samp.refreshPeers()}>
              Refresh
            </button>
          </div>
          {samp.peers.length === 0 ? (
            <EmptyState title="No other tools are connected." />
          ) : (
            <ul className="peers">
              {samp.peers.map((p) => (
                <li key={p.id}>
                  <strong>{p.name}</strong> <span className="muted small">{p.id}</span>
                  {p.description && <div className="small">{p.description}</div>}
                  <div className="small muted">
                    {p.subscriptions.length ? `accepts ${p.subscriptions.join(', ')}` : 'accepts none of the spectra or tables we send'}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      <section aria-labelledby="received-head">
        <h2 id="received-head">Received</h2>
        {samp.received.length === 0 ? (
          <EmptyState title="Nothing received yet." />
        ) : (
          <ul className="received">
            {samp.received.map((r) => (
              <li key={r.id} data-received={r.name} data-state={r.state}>
                <strong>{r.name}</strong>{' '}
                <span className="muted small">
                  from {r.sender} · {r.mtype}
                </span>
                <div className="row">
                  <button type="button" disabled={r.state === 'working'} onClick={() => void samp.plotReceived(r)}>
                    Plot
                  </button>
                  <button type="button" disabled={r.state === 'working'} onClick={() => void samp.saveReceived(r)}>
                    Save to my files
                  </button>
                  {r.state === 'working' ? (
                    <Spinner label={r.message} />
                  ) : (
                    r.message && <span className={r.state === 'failed' ? 'error-text small' : 'small'}>{r.message}</span>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
