/**
 * Where a registry is reached and how: Docker Hub's API host, which hosts may be spoken to over
 * plain HTTP, which configured entry (CA, insecure listing) applies to a host, and the token scope
 * a pull needs. Pure functions over host strings.
 */

const DOCKER_HUB = 'docker.io';
/** Docker Hub's registry API lives on its own host (FACTS.md §6). */
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

/** The host[:port] that serves the registry API for a normalized registry name. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** The token scope that allows resolving manifests of a repository. */
export function repositoryPullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/** `host[:port]` as a URL would name it (lowercased host, IPv6 in brackets), or undefined when it is no host. */
export function canonicalHost(host: string): string | undefined {
  if (host === '' || /[/?#@\s]/.test(host)) return undefined;
  try {
    const url = new URL(`http://${host}`);
    // `URL` drops port 80 as the scheme's default, which would make `host:80` equal `host`.
    const port = /:(\d+)$/.exec(host)?.[1];
    return port === undefined || host.endsWith(']') ? url.host : `${url.hostname}:${Number(port)}`;
  } catch {
    return undefined;
  }
}

/** The hostname part of a canonical `host[:port]`, brackets kept for IPv6. */
function hostnameOf(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

/**
 * Loopback hosts, which docker and containerd let a client reach over plain HTTP:
 * `localhost`, 127.0.0.0/8 and `[::1]`, on any port.
 */
export function isLoopbackHost(host: string): boolean {
  const canonical = canonicalHost(host);
  if (canonical === undefined) return false;
  const hostname = hostnameOf(canonical);
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * The entry of a host-keyed setting that applies to `host`: an entry with a port matches that
 * port only, an entry without one matches the host on every port. The exact `host:port` entry wins.
 */
export function matchingHostEntry(entries: Iterable<string>, host: string): string | undefined {
  const canonical = canonicalHost(host);
  if (canonical === undefined) return undefined;
  let hostOnly: string | undefined;
  for (const entry of entries) {
    const entryHost = canonicalHost(entry.trim());
    if (entryHost === canonical) return entry;
    if (entryHost !== undefined && hostOnly === undefined && entryHost === hostnameOf(entryHost) && entryHost === hostnameOf(canonical)) {
      hostOnly = entry;
    }
  }
  return hostOnly;
}
