/**
 * Platforms as users write them (`linux/amd64`, `linux/arm64/v8`), the way `docker --platform`
 * and containerd's platform specifiers spell them.
 */
import type { Platform } from '../registry/types';

const COMPONENT = /^[a-z0-9_.-]+$/;

/** `os/architecture[/variant]`, lowercase; undefined when the text is not one. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || !parts.every((part) => COMPONENT.test(part))) return undefined;
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

export function formatPlatform(platform: Platform): string {
  const name = `${platform.os}/${platform.architecture}`;
  return platform.variant === undefined || platform.variant === '' ? name : `${name}/${platform.variant}`;
}

/**
 * Whether an index entry serves the wanted platform. An unspecified variant matches any, and the
 * variants runtimes assume when none is written (`arm64` is `v8`, `arm` is `v7`) compare equal
 * to their explicit spelling, as containerd's platform matcher does.
 */
export function platformMatches(wanted: Platform, offered: Platform): boolean {
  if (wanted.os !== offered.os || wanted.architecture !== offered.architecture) return false;
  if (wanted.variant === undefined || wanted.variant === '') return true;
  return normalizedVariant(wanted) === normalizedVariant(offered);
}

const DEFAULT_VARIANTS: Readonly<Record<string, string>> = { arm64: 'v8', arm: 'v7' };

function normalizedVariant(platform: Platform): string | undefined {
  return platform.variant === undefined || platform.variant === '' ? DEFAULT_VARIANTS[platform.architecture] : platform.variant;
}
