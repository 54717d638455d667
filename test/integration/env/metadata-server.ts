// A local metadata server on 127.0.0.1 that speaks the real EC2 (IMDSv2 token + user-data) and
// GCE (Metadata-Flavor: Google) paths and headers, and records the requests it got.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface MetadataServer {
  url: string;
  seen: SeenRequest[];
  /** The user-data served; null answers 404 like a cloud without user-data. */
  ec2UserData: string | null;
  gceUserData: string | null;
  close(): Promise<void>;
}

const TOKEN = 'AQAEAtest-token-value==';

export async function startMetadataServer(): Promise<MetadataServer> {
  const state = { ec2UserData: null as string | null, gceUserData: null as string | null };
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const send = (status: number, body = ''): void => {
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(body);
    };
    if (req.url === '/latest/api/token') {
      if (req.method !== 'PUT' || !req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return send(400);
      return send(200, TOKEN);
    }
    if (req.url === '/latest/user-data') {
      if (req.headers['x-aws-ec2-metadata-token'] !== TOKEN) return send(401);
      return state.ec2UserData === null ? send(404) : send(200, state.ec2UserData);
    }
    if (req.url === '/computeMetadata/v1/instance/attributes/user-data') {
      if (req.headers['metadata-flavor'] !== 'Google') return send(403, 'Missing Metadata-Flavor:Google header.');
      return state.gceUserData === null ? send(404) : send(200, state.gceUserData);
    }
    send(404);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as MetadataServer;
}
