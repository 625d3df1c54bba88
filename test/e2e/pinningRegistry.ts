// The registry the extension-host suite pins against (test/e2e/suite/editor.e2e.ts): one tag on a
// loopback registry, reached through a proxy that counts requests, so the driver can show that an
// untrusted workspace sends none.
import { buildDataImage } from '../support/ociImage';
import { startRegistry } from '../support/registry';

export interface PinningRegistry {
  /** `KUBE_IMAGES_E2E_PIN`: the reference the suite writes and the digest a pin must add. */
  readonly environment: NodeJS.ProcessEnv;
  /** Requests that reached the registry so far. */
  requestCount(): number;
  stop(): Promise<void>;
}

export async function startPinningRegistry(): Promise<PinningRegistry> {
  const registry = await startRegistry();
  try {
    const digest = await registry.push(buildDataImage('pinned by the extension-host suite'), 'e2e/pinned', '1.0');
    const proxy = await registry.openFaultProxy();
    return {
      environment: { KUBE_IMAGES_E2E_PIN: JSON.stringify({ reference: `${proxy.host}/e2e/pinned:1.0`, digest }) },
      requestCount: () => proxy.requests.length,
      stop: () => registry.stop(),
    };
  } catch (error) {
    await registry.stop();
    throw error;
  }
}
