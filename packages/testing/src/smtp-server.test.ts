import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byArrival, SMTP_SERVER_PYTHON, type SmtpTestServer, startSmtpServer } from './smtp-server.ts';

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

describe('maildir order', () => {
  it('orders two mails of the same second by the delivery counter, not the unpadded microseconds', () => {
    const first = '1765092000.M99999P7Q1.host';
    const second = '1765092000.M123456P7Q2.host';
    const earlier = '1765091999.M5P7Q9.host';
    expect([second, first].sort()).toEqual([second, first]); // a string sort puts the later mail first
    expect([second, first, earlier].sort(byArrival)).toEqual([earlier, first, second]);
  });
});
