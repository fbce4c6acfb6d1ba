import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

// One http step request, sent to the address the egress policy checked (the URL's host name still goes in
// the Host header and TLS SNI/certificate check), with the answer's body read as a stream up to a cap.

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(limit: number) {
    super(`response body exceeds ${limit} bytes (FLOW_HTTP_MAX_BODY_BYTES); the step keeps no partial body`);
  }
}

export interface PinnedRequest {
  url: URL;
  address: string;
  family: 4 | 6;
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  maxBodyBytes: number;
}

export interface PinnedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

// Kept-alive connections are pooled per host and port; each was opened to an address checked for that host.
const agents = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
};

function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (e: null, a: unknown[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

export function sendPinned(request: PinnedRequest): Promise<PinnedResponse> {
  const send = request.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      request.url,
      {
        method: request.method,
        headers: request.headers,
        agent: agents[request.url.protocol as 'http:' | 'https:'],
        lookup: pinnedLookup(request.address, request.family),
        signal: request.signal,
      },
      (res) => {
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > request.maxBodyBytes) {
          req.destroy();
          reject(new BodyTooLargeError(request.maxBodyBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > request.maxBodyBytes) {
            req.destroy();
            reject(new BodyTooLargeError(request.maxBodyBytes));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}
