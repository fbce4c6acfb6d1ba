import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTP_SERVER_PYTHON, type SmtpTestServer, startSmtpServer } from './smtp-server.ts';

const MESSAGE =
  'To: b@example.com\r\nSubject: Hello\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGo to https://example.com/x?token=3D=\r\nabc\r\n';

/** Sends MESSAGE with Python's smtplib: a client independent of the code under test. */
function send(url: string) {
  const { port } = new URL(url);
  const script = `import smtplib,sys\nwith smtplib.SMTP('127.0.0.1', ${Number(port)}) as s: s.sendmail('a@example.com', ['b@example.com'], sys.stdin.read())`;
  execFileSync(SMTP_SERVER_PYTHON, ['-c', script], { input: MESSAGE });
}

describe('startSmtpServer', () => {
  let server: SmtpTestServer;
  beforeAll(async () => {
    server = await startSmtpServer();
  });
  afterAll(() => server.stop());

  it('receives a message and reads it back decoded', async () => {
    send(server.url);
    const mail = await server.waitForMail('b@example.com');
    expect(mail.subject).toBe('Hello');
    expect(mail.link).toBe('https://example.com/x?token=abc');
  });
});
