// core/v1 volume sources beyond the common ones in podspec-types.ts: CSI,
// NFS, image, ephemeral claims, the downward API and projected volumes.
// The in-tree cloud and network sources (most of them deprecated) are
// declared but left free-form: Berth stores them as given and never reads
// them, and a free-form schema can never drop a field a user wrote.

import { NS, anyObject, bool, int32, int64, listOf, optRef, ref, req, str, strMap, type, type Field, type TypeDef } from './dsl.js';

const C = NS.core;
const M = NS.meta;

const LEGACY = [
  'awsElasticBlockStore',
  'azureDisk',
  'azureFile',
  'cephfs',
  'cinder',
  'fc',
  'flexVolume',
  'flocker',
  'gcePersistentDisk',
  'gitRepo',
  'glusterfs',
  'iscsi',
  'photonPersistentDisk',
  'portworxVolume',
  'quobyte',
  'rbd',
  'scaleIO',
  'storageos',
  'vsphereVolume',
] as const;

/** Volume fields of the in-tree sources, each free-form. */
export const LEGACY_VOLUME_SOURCES: Readonly<Record<string, Field>> = Object.fromEntries(
  LEGACY.map((name) => [name, anyObject(`An in-tree ${name} volume. Stored as given; Berth does not interpret it.`)]),
);

const keyToPaths = (what: string): Field => listOf(ref(`${C}KeyToPath`), `Which keys of the ${what} to project, and where; all keys when empty.`);

export const VOLUME_TYPES: readonly TypeDef[] = [
  type(`${C}CSIVolumeSource`, 'An ephemeral volume from a CSI driver.', {
    driver: req(str('The CSI driver\'s name.')),
    fsType: str('Filesystem type, e.g. ext4.'),
    nodePublishSecretRef: optRef(`${C}LocalObjectReference`, 'A Secret passed to the driver.'),
    readOnly: bool('Mount read-only.'),
    volumeAttributes: strMap('Driver-specific properties.'),
  }),
  type(`${C}NFSVolumeSource`, 'An NFS export.', {
    path: req(str('The exported path.')),
    readOnly: bool('Mount read-only.'),
    server: req(str('The NFS server\'s host name or IP.')),
  }),
  type(`${C}ImageVolumeSource`, 'An OCI image or artifact mounted as a volume.', {
    pullPolicy: str('Always, Never or IfNotPresent.'),
    reference: str('The image reference.'),
  }),
  type(`${C}EphemeralVolumeSource`, 'A PersistentVolumeClaim created with the pod from a template.', {
    volumeClaimTemplate: anyObject('The claim to create (a PersistentVolumeClaimTemplate). Stored as given.'),
  }),
  type(`${C}DownwardAPIVolumeSource`, 'Files holding pod fields and container resources.', {
    defaultMode: int32('Mode bits of the files. Default 0644.'),
    items: listOf(ref(`${C}DownwardAPIVolumeFile`), 'The files.'),
  }),
  type(`${C}DownwardAPIVolumeFile`, 'One file of a downward API volume.', {
    fieldRef: optRef(`${C}ObjectFieldSelector`, 'A field of the pod.'),
    mode: int32('Mode bits of the file.'),
    path: req(str('Relative path of the file.')),
    resourceFieldRef: optRef(`${C}ResourceFieldSelector`, 'A resource limit or request of a container.'),
  }),
  type(`${C}ProjectedVolumeSource`, 'Several volume sources in one directory.', {
    defaultMode: int32('Mode bits of the files. Default 0644.'),
    sources: listOf(ref(`${C}VolumeProjection`), 'The sources.'),
  }),
  type(`${C}VolumeProjection`, 'One source of a projected volume; exactly one field is set.', {
    clusterTrustBundle: optRef(`${C}ClusterTrustBundleProjection`, 'Certificates of ClusterTrustBundles.'),
    configMap: optRef(`${C}ConfigMapProjection`, 'Keys of a ConfigMap.'),
    downwardAPI: optRef(`${C}DownwardAPIProjection`, 'Pod fields and container resources.'),
    secret: optRef(`${C}SecretProjection`, 'Keys of a Secret.'),
    serviceAccountToken: optRef(`${C}ServiceAccountTokenProjection`, 'A service account token.'),
  }),
  type(`${C}ConfigMapProjection`, 'Keys of a ConfigMap in a projected volume.', {
    items: keyToPaths('ConfigMap'),
    name: str('The ConfigMap\'s name.'),
    optional: bool('Whether the ConfigMap may be missing.'),
  }),
  type(`${C}SecretProjection`, 'Keys of a Secret in a projected volume.', {
    items: keyToPaths('Secret'),
    name: str('The Secret\'s name.'),
    optional: bool('Whether the Secret may be missing.'),
  }),
  type(`${C}DownwardAPIProjection`, 'Downward API files in a projected volume.', {
    items: listOf(ref(`${C}DownwardAPIVolumeFile`), 'The files.'),
  }),
  type(`${C}ServiceAccountTokenProjection`, 'A service account token in a projected volume.', {
    audience: str('The token\'s intended audience.'),
    expirationSeconds: int64('Requested lifetime of the token. Default 1 hour.'),
    path: req(str('Relative path of the token file.')),
  }),
  type(`${C}ClusterTrustBundleProjection`, 'Certificates from ClusterTrustBundles in a projected volume.', {
    labelSelector: optRef(`${M}LabelSelector`, 'Bundles selected by label (with signerName).'),
    name: str('A bundle by name.'),
    optional: bool('Whether the bundle may be missing.'),
    path: req(str('Relative path of the file.')),
    signerName: str('Bundles of this signer.'),
  }),
];
