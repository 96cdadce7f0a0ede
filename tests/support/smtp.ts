import { SMTPServer } from 'smtp-server';

/** A received mail, with quoted-printable soft breaks and escapes undone in `text`. */
export interface ReceivedMail {
  readonly to: string;
  /** The raw message (headers and body). */
  readonly body: string;
  /** The message decoded from quoted-printable. */
  readonly text: string;
}

/**
 * A real SMTP server on loopback (smtp-server) that keeps what it receives: the mail sink of
 * password-reset tests. `waitFor(n)` resolves when n mails have arrived.
 */
export async function startSmtpSink(): Promise<{ port: number; mails: ReceivedMail[]; waitFor(n: number, ms?: number): Promise<void>; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      let body = '';
      stream.on('data', (c: Buffer) => (body += c.toString('utf8')));
      stream.on('end', () => {
        const text = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), body, text });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    mails,
    async waitFor(n, ms = 10_000) {
      const end = Date.now() + ms;
      while (mails.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      if (mails.length < n) throw new Error(`expected ${n} mails, got ${mails.length}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
