// Container health check: exits 0 when this container's TicketPro process answers its
// /health/live (or, with the argument `ready`, /health/ready) with 200, and 1 otherwise.
// Plain JavaScript outside the build, so bare node runs it every few seconds with nothing else
// to load; slim images have no curl or wget.
const probe = process.argv[2] ?? 'live';
if (probe !== 'live' && probe !== 'ready') {
  console.error(`healthcheck: unknown probe '${probe}' (live or ready)`);
  process.exit(2);
}

// The gateway serves its health endpoints on PORT; the services on OPS_PORT.
const port = process.env.SERVICE === 'gateway' ? process.env.PORT || '3000' : process.env.OPS_PORT;
if (!port) {
  console.error('healthcheck: OPS_PORT is not set, so this service serves no health endpoint');
  process.exit(1);
}

fetch(`http://127.0.0.1:${port}/health/${probe}`, { signal: AbortSignal.timeout(2500) })
  .then((response) => {
    if (response.status !== 200) console.error(`healthcheck: /health/${probe} answered ${response.status}`);
    process.exit(response.status === 200 ? 0 : 1);
  })
  .catch((err) => {
    console.error(`healthcheck: /health/${probe} did not answer: ${err.message}`);
    process.exit(1);
  });
