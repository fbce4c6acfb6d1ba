import { readdirSync, readFileSync } from 'node:fs';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ConfigMap,
  Namespace,
  PersistentVolumeClaim,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { repoPath } from '../support/repo.ts';

// deploy/k8s rendered the way `kubectl apply -k` reads it (the kustomization's resources, in order, every
// YAML document of each), and each object checked against the Kubernetes OpenAPI schema with the npm
// package `kubernetes-models` (pinned in ops/package.json; validators generated from the Kubernetes
// OpenAPI definitions), offline.

export const K8S_DIR = 'deploy/k8s';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are read as data and walked by the tests
  [key: string]: any;
}

type Model = new (data: never) => { validate(): void };
const MODELS: Record<string, Model> = {
  'v1/Namespace': Namespace as unknown as Model,
  'v1/ServiceAccount': ServiceAccount as unknown as Model,
  'v1/ConfigMap': ConfigMap as unknown as Model,
  'v1/Secret': Secret as unknown as Model,
  'v1/Service': Service as unknown as Model,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as unknown as Model,
  'apps/v1/Deployment': Deployment as unknown as Model,
  'apps/v1/StatefulSet': StatefulSet as unknown as Model,
  'batch/v1/Job': Job as unknown as Model,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as Model,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as Model,
};

/** Throws with the schema's message when `object` is not a valid object of its apiVersion/kind. */
export function validateObject(object: K8sObject): void {
  const model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!model)
    throw new Error(`${object.apiVersion} ${object.kind} ${object.metadata?.name}: no schema for this kind`);
  try {
    new model(object as never).validate();
  } catch (error) {
    throw new Error(`${object.kind} ${object.metadata?.name}: ${(error as Error).message}`);
  }
}

export function parseManifests(text: string, file: string): K8sObject[] {
  return parseAllDocuments(text).map((doc, index) => {
    if (doc.errors.length > 0) throw new Error(`${file} document ${index + 1}: ${doc.errors[0]!.message}`);
    return doc.toJS() as K8sObject;
  });
}

export function kustomizationResources(): string[] {
  const [kustomization] = parseManifests(
    readFileSync(repoPath(K8S_DIR, 'kustomization.yaml'), 'utf8'),
    'kustomization.yaml',
  );
  return kustomization!.resources as string[];
}

export function manifestFiles(): string[] {
  return readdirSync(repoPath(K8S_DIR))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort();
}

/** Every object `kubectl apply -k deploy/k8s` would apply. */
export function render(): K8sObject[] {
  return kustomizationResources().flatMap((file) =>
    parseManifests(readFileSync(repoPath(K8S_DIR, file), 'utf8'), file),
  );
}
