import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';

/**
 * Listens on PORT/HOST, then tells the harness it is ready (it starts the bench's servers like
 * services, see tests/support/processes.ts), and closes the server and the pool on SIGTERM or
 * SIGINT. Exits by itself: the IPC channel to the harness would otherwise keep it alive.
 */
export async function serveForBench(name: string, app: FastifyInstance, pool: Pool): Promise<void> {
  await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
  const stop = () => {
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.send?.({ ready: name });
}
