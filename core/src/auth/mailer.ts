import { inject, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import nodemailer, { type Transporter } from 'nodemailer';
import { TOKENS } from '../tokens.js';
import type { LoadedConfig } from '../config/load.js';

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/**
 * Sends mail: SMTP through nodemailer (mail.transport: smtp), or into the log (development).
 * Failures are logged and reported to the caller; they never reveal whether an account exists.
 */
@injectable()
export class Mailer {
  private transporter: Transporter | null = null;

  constructor(
    @inject(TOKENS.Config) private readonly config: LoadedConfig,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {}

  private transport(): Transporter {
    if (!this.transporter) {
      const smtp = this.config.config.mail.smtp;
      this.transporter = nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
    }
    return this.transporter;
  }

  async send(mail: Mail): Promise<void> {
    const { transport, from } = this.config.config.mail;
    if (transport === 'log') {
      this.log.info({ to: mail.to, subject: mail.subject }, `mail (mail.transport=log, not sent):\n${mail.text}`);
      return;
    }
    await this.transport().sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
  }

  close(): void {
    this.transporter?.close();
  }
}
