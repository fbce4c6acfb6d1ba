import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';

// A real SMTP server for mail tests: aiosmtpd (PyPI, installed into .toolchain/schemathesis by
// scripts/lib/schemathesis.sh) in its own process, delivering every message into a Maildir that the test
// reads. What a test sees is what a mail client would: the message as the relay received it.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The venv's Python, with aiosmtpd installed. */
export const SMTP_SERVER_PYTHON = join(ROOT, '.toolchain', 'schemathesis', 'bin', 'python');

export interface DeliveredMail {
  to: string;
  subject: string;
  /** The whole message, headers and body, quoted-printable and soft line breaks decoded. */
  body: string;
  /** The first https?:// link in the body. */
  link: string | undefined;
}

export interface SmtpTestServer {
  /** `smtp://127.0.0.1:<port>`: give it as SMTP_URL. */
  readonly url: string;
  /** Every message delivered so far, oldest first. */
  messages(): Promise<DeliveredMail[]>;
  /** Waits until a message to `to` arrives after the first `skip` ones for that address; rejects after `timeoutMs`. */
  waitForMail(to: string, options?: { skip?: number; timeoutMs?: number }): Promise<DeliveredMail>;
  stop(): Promise<void>;
}

const decodeQuotedPrintable = (text: string) =>
  text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

const header = (raw: string, name: string) =>
  new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(raw.split(/\r?\n\r?\n/)[0] ?? '')?.[1]?.trim() ?? '';

function parse(raw: string): DeliveredMail {
  const body = decodeQuotedPrintable(raw);
  return {
    to: header(raw, 'To'),
    subject: header(raw, 'Subject'),
    body,
    link: /https?:\/\/[^\s"<>]+/.exec(
      body
        .split(/\r?\n\r?\n/)
        .slice(1)
        .join('\n\n'),
    )?.[0],
  };
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('data', (data) => {
      socket.destroy();
      done(data.toString().startsWith('220'));
    });
    socket.once('error', () => done(false));
  });
}

async function waitUntilListening(child: ChildProcess, port: number, output: string[]) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`aiosmtpd exited: ${output.join('')}`);
    if (await acceptsConnections(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`aiosmtpd did not listen on ${port}: ${output.join('')}`);
}

/**
 * Python's Maildir names a message `<seconds>.M<microseconds>P<pid>Q<counter>.<host>`: the microseconds are
 * not zero-padded, so a plain string sort can put two mails of the same second out of order; the per-process
 * counter (one aiosmtpd process per server) gives their arrival order.
 */
export function byArrival(a: string, b: string): number {
  const key = (name: string): [number, number] => {
    const match = /^(\d+)\.M\d+P\d+Q(\d+)/.exec(name);
    return match ? [Number(match[1]), Number(match[2])] : [Number.POSITIVE_INFINITY, 0];
  };
  const [secondsA, counterA] = key(a);
  const [secondsB, counterB] = key(b);
  return secondsA - secondsB || counterA - counterB || a.localeCompare(b);
}

export async function startSmtpServer(): Promise<SmtpTestServer> {
  if (!existsSync(SMTP_SERVER_PYTHON)) {
    throw new Error(`${SMTP_SERVER_PYTHON} is missing: run scripts/test.sh once (it installs aiosmtpd)`);
  }
  const scratch = await mkdtemp(join(tmpdir(), 'smtp-test-'));
  // Not created here: the Maildir handler makes it with its cur/new/tmp folders.
  const maildir = join(scratch, 'maildir');
  const port = await freePort();
  const child = spawn(
    SMTP_SERVER_PYTHON,
    ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  await waitUntilListening(child, port, output);

  async function messages(): Promise<DeliveredMail[]> {
    const folder = join(maildir, 'new');
    if (!existsSync(folder)) return [];
    const names = (await readdir(folder)).sort(byArrival);
    return Promise.all(names.map(async (name) => parse(await readFile(join(folder, name), 'utf8'))));
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitForMail(to, { skip = 0, timeoutMs = 10_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const mine = (await messages()).filter((mail) => mail.to.includes(to));
        const mail = mine[skip];
        if (mail) return mail;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
