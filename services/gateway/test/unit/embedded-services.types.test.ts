import { CONTRACTS, createLogger, SERVICE_NAMES, type ServiceDeclarations } from '@ticketpro/shared';
import { testConfig } from '@ticketpro/shared/testing';
import { EMBEDDED_SERVICES } from '../../src/embedded-services';

/**
 * The embedded process runs every service registered in `CONTRACTS`, from a map typed against
 * the registry: each line marked `@ts-expect-error` must not compile (`npm run typecheck` fails
 * if it does). A service registered without its declaration is the first case: registering one
 * adds a key the map then lacks.
 */

export function declarations() {
  const { reporting: _reporting, ...withoutReporting } = EMBEDDED_SERVICES;
  // @ts-expect-error: a registered service (reporting) without its declaration
  const incomplete: ServiceDeclarations = withoutReporting;
  // @ts-expect-error: a declaration filed under another service's name
  const misfiled: ServiceDeclarations = { ...EMBEDDED_SERVICES, reporting: EMBEDDED_SERVICES.catalog };
  // @ts-expect-error: a service no contract registers
  const unregistered: ServiceDeclarations = { ...EMBEDDED_SERVICES, reviews: EMBEDDED_SERVICES.catalog };
  return [incomplete, misfiled, unregistered];
}

describe('the embedded process', () => {
  const deps = { config: testConfig(), logger: createLogger('embedded-test', 'silent') };

  it('declares every registered service, each under its own name', () => {
    expect(Object.keys(EMBEDDED_SERVICES).sort()).toEqual([...SERVICE_NAMES].sort());
    for (const name of SERVICE_NAMES) expect([name, EMBEDDED_SERVICES[name].service]).toEqual([name, name]);
  });

  it.each(SERVICE_NAMES)("makes %s a Moleculer service of that name answering its contract's actions", (name) => {
    const schema = EMBEDDED_SERVICES[name](deps);
    expect(schema.name).toBe(name);
    expect(Object.keys(schema.actions ?? {}).sort()).toEqual(Object.keys(CONTRACTS[name].actions).sort());
  });
});
