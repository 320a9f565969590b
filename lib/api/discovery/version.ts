// GET /version. The gcloud kubectl dispatcher on PATH picks the kubectl
// binary from major/minor, so they must say 1.32 (the version whose API
// Berth serves); `kubectl version` needs gitVersion to parse.

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export const SERVED_KUBERNETES_VERSION = { major: '1', minor: '32' } as const;

const ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

/** The /version document. Berth is not built by Go: goVersion and compiler say what runs it instead. */
export function versionInfo(opts: { gitVersion?: string; gitCommit?: string; buildDate?: string } = {}): VersionInfo {
  return {
    major: SERVED_KUBERNETES_VERSION.major,
    minor: SERVED_KUBERNETES_VERSION.minor,
    gitVersion: opts.gitVersion ?? `v${SERVED_KUBERNETES_VERSION.major}.${SERVED_KUBERNETES_VERSION.minor}.0-berth`,
    gitCommit: opts.gitCommit ?? '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: opts.buildDate ?? '1970-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'node',
    platform: `${process.platform}/${ARCH[process.arch] ?? process.arch}`,
  };
}
