// Builds container images in memory, without Docker: ustar layers, gzip, image config,
// OCI or Docker v2 manifests and multi-platform indexes. Every object carries the digest
// computed from its own bytes, so a test can check what a registry or a runtime reports
// against values it derived independently.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** The Accept list a client sends to be answered with any manifest or index kind. */
export const manifestAcceptHeader = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
].join(', ');

export type ManifestFormat = 'oci' | 'docker';

/** Content-addressed bytes as a registry stores them. */
export interface ContentBlob {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly bytes: Buffer;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export type TarEntry =
  | { readonly type: 'file'; readonly path: string; readonly content: Buffer | string; readonly mode?: number }
  | { readonly type: 'directory'; readonly path: string; readonly mode?: number }
  | { readonly type: 'symlink'; readonly path: string; readonly target: string };

export interface ImageSpecOptions {
  /** One tar per layer, bottom first. */
  readonly layers: readonly (readonly TarEntry[])[];
  readonly format?: ManifestFormat;
  readonly platform?: Platform;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly env?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  /** Image creation time written to the config; fixed by default so digests are reproducible. */
  readonly created?: string;
}

/** A single-platform image: manifest, config and layers. */
export interface BuiltImage {
  readonly kind: 'image';
  readonly format: ManifestFormat;
  readonly platform: Platform;
  readonly manifest: ContentBlob;
  readonly config: ContentBlob;
  /** Compressed layer blobs, bottom first. */
  readonly layers: readonly ContentBlob[];
  /** sha256 of each uncompressed layer tar, as the config's rootfs.diff_ids lists them. */
  readonly diffIds: readonly string[];
}

/** A multi-platform image: an OCI index or a Docker manifest list over single-platform images. */
export interface BuiltIndex {
  readonly kind: 'index';
  readonly format: ManifestFormat;
  readonly manifest: ContentBlob;
  readonly images: readonly BuiltImage[];
}

export type BuiltArtifact = BuiltImage | BuiltIndex;

const fixedCreated = '2024-01-01T00:00:00Z';
const defaultPlatform: Platform = { os: 'linux', architecture: 'amd64' };

export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function contentBlob(mediaType: string, bytes: Buffer): ContentBlob {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.length, bytes };
}

function descriptor(blob: ContentBlob): { mediaType: string; digest: string; size: number } {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size };
}

const tarBlockSize = 512;

/**
 * Writes a POSIX ustar archive. Paths are relative (no leading slash), owned by root, with a
 * fixed modification time so equal input gives equal bytes.
 */
export function ustar(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = entry.type === 'file' ? Buffer.from(entry.content) : Buffer.alloc(0);
    blocks.push(tarHeader(entry, content.length));
    if (content.length > 0) {
      blocks.push(content, Buffer.alloc((tarBlockSize - (content.length % tarBlockSize)) % tarBlockSize));
    }
  }
  // Two zero blocks mark the end of the archive.
  blocks.push(Buffer.alloc(2 * tarBlockSize));
  return Buffer.concat(blocks);
}

function tarHeader(entry: TarEntry, size: number): Buffer {
  const header = Buffer.alloc(tarBlockSize);
  const path = entry.type === 'directory' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
  const { name, prefix } = splitTarPath(path);
  const defaultMode = entry.type === 'file' ? 0o644 : 0o755;
  const mode = entry.type === 'symlink' ? 0o777 : (entry.mode ?? defaultMode);
  const typeFlag = { file: '0', directory: '5', symlink: '2' }[entry.type];

  writeString(header, 0, 100, name);
  writeOctal(header, 100, 8, mode);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, 0);
  header.write(typeFlag, 156, 'ascii');
  if (entry.type === 'symlink') writeString(header, 157, 100, entry.target);
  writeString(header, 257, 6, 'ustar\0');
  writeString(header, 263, 2, '00');
  writeString(header, 265, 32, 'root');
  writeString(header, 297, 32, 'root');
  writeString(header, 345, 155, prefix);

  // The checksum is computed with its own field read as eight spaces.
  header.fill(' ', 148, 156);
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return header;
}

function splitTarPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  // ustar stores longer paths as prefix + '/' + name, split at a slash.
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  for (let cut = trimmed.lastIndexOf('/'); cut > 0; cut = trimmed.lastIndexOf('/', cut - 1)) {
    const prefix = trimmed.slice(0, cut);
    const name = path.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`tar path too long for ustar: ${path}`);
}

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar header field too long: ${value}`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, 'ascii');
}

/** Builds a single-platform image with gzip-compressed layers. */
export function buildImage(options: ImageSpecOptions): BuiltImage {
  const format = options.format ?? 'oci';
  const platform = options.platform ?? defaultPlatform;
  const layerMediaType = format === 'oci' ? MediaType.ociLayerGzip : MediaType.dockerLayerGzip;

  const tars = options.layers.map((entries) => ustar(entries));
  const diffIds = tars.map((tar) => sha256Digest(tar));
  const layers = tars.map((tar) => contentBlob(layerMediaType, gzipSync(tar)));

  const containerConfig: Record<string, unknown> = {
    Env: options.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  };
  if (options.entrypoint) containerConfig['Entrypoint'] = options.entrypoint;
  if (options.cmd) containerConfig['Cmd'] = options.cmd;
  if (options.labels) containerConfig['Labels'] = options.labels;
  const configJson = {
    created: options.created ?? fixedCreated,
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: platform.os,
    config: containerConfig,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created: options.created ?? fixedCreated, created_by: 'kube-images test harness' })),
  };
  const config = contentBlob(
    format === 'oci' ? MediaType.ociConfig : MediaType.dockerConfig,
    Buffer.from(JSON.stringify(configJson)),
  );

  const manifestMediaType = format === 'oci' ? MediaType.ociManifest : MediaType.dockerManifest;
  const manifestJson = {
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: descriptor(config),
    layers: layers.map(descriptor),
  };
  const manifest = contentBlob(manifestMediaType, Buffer.from(JSON.stringify(manifestJson, null, 2)));
  return { kind: 'image', format, platform, manifest, config, layers, diffIds };
}

/** Builds an OCI index or Docker manifest list over images of distinct platforms. */
export function buildIndex(images: readonly BuiltImage[], format: ManifestFormat = 'oci'): BuiltIndex {
  const mediaType = format === 'oci' ? MediaType.ociIndex : MediaType.dockerManifestList;
  const indexJson = {
    schemaVersion: 2,
    mediaType,
    manifests: images.map((image) => ({
      ...descriptor(image.manifest),
      platform: {
        architecture: image.platform.architecture,
        os: image.platform.os,
        ...(image.platform.variant ? { variant: image.platform.variant } : {}),
      },
    })),
  };
  const manifest = contentBlob(mediaType, Buffer.from(JSON.stringify(indexJson, null, 2)));
  return { kind: 'index', format, manifest, images };
}

/**
 * A one-layer image holding a single text file, distinct per `content`: the cheapest image
 * a registry test can push. Not runnable.
 */
export function buildDataImage(content: string, options: { format?: ManifestFormat; platform?: Platform } = {}): BuiltImage {
  return buildImage({
    layers: [[{ type: 'file', path: 'data.txt', content }]],
    ...(options.format ? { format: options.format } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
  });
}

/**
 * An index over a linux/amd64 and a linux/arm64/v8 image whose layers differ, as the
 * multi-arch images on public registries are.
 */
export function buildTwoPlatformIndex(content: string, format: ManifestFormat = 'oci'): BuiltIndex {
  const platforms: Platform[] = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
  ];
  return buildIndex(
    platforms.map((platform) =>
      buildDataImage(`${content} for ${platform.os}/${platform.architecture}`, { format, platform }),
    ),
    format,
  );
}

/** Debian's busybox-static: one static binary that runs in an otherwise empty root file system. */
export const busyboxPath = '/bin/busybox';

/**
 * A runnable linux/amd64 image whose entrypoint sleeps until it is killed: usable as the
 * runtime's pause (sandbox) image and as a container image. `variant` goes into a label and
 * a file so several sleepers get distinct digests.
 */
export function buildSleeperImage(options: { variant?: string; format?: ManifestFormat } = {}): BuiltImage {
  const variant = options.variant ?? 'sleeper';
  return buildImage({
    layers: [
      [
        { type: 'directory', path: 'bin' },
        { type: 'file', path: 'bin/busybox', content: readFileSync(busyboxPath), mode: 0o755 },
        { type: 'symlink', path: 'bin/sh', target: 'busybox' },
        { type: 'symlink', path: 'bin/sleep', target: 'busybox' },
        { type: 'directory', path: 'etc' },
        { type: 'file', path: 'etc/kube-images-variant', content: `${variant}\n` },
        { type: 'directory', path: 'tmp', mode: 0o1777 },
      ],
    ],
    ...(options.format ? { format: options.format } : {}),
    entrypoint: ['/bin/busybox', 'sleep', 'infinity'],
    labels: { 'io.kube-images.test.variant': variant },
  });
}
