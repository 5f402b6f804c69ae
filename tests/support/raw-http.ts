import net from 'node:net';

/** A raw TCP client of an HTTP server: what it received, and when the server closed it. */
export interface RawClient {
  socket: net.Socket;
  received(): string;
  /** Resolves to the time the connection closed. */
  closed: Promise<number>;
}

export function connectRaw(baseUrl: string): Promise<RawClient> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString();
    });
    socket.on('error', () => undefined);
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now())));
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

/** Sends `text` one character every `everyMs`, until the socket closes or the text ends. */
export async function trickle(client: RawClient, text: string, everyMs: number): Promise<void> {
  for (const char of text) {
    if (client.socket.destroyed || client.socket.writableEnded) return;
    client.socket.write(char);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Whether the connection is still open after `forMs`. */
export const staysOpen = (client: RawClient, forMs: number) =>
  Promise.race([
    client.closed.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), forMs)),
  ]);

/** The start of a request whose body is announced as `length` bytes and sent later. */
export const postHead = (path: string, length: number) =>
  `POST ${path} HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
