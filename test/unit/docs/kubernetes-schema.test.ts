import { readdir, readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

/**
 * Every object in docs/kubernetes/*.yaml is checked against the Kubernetes OpenAPI schema that
 * kubernetes-models (pinned devDependency) compiles into validators: wrong types, missing required
 * fields and bad enum values fail here, not at `kubectl apply`. The validators do not reject
 * unknown fields (the API server's strict field validation does); the flag checks in
 * kubernetes-manifest.test.ts cover the part Lethe owns.
 */

interface Validating {
  validate(): void;
}
type ModelClass = new (data: never) => Validating;

/** apiVersion/kind -> model; a manifest of another kind fails the test until it is added here. */
const MODELS: Record<string, ModelClass> = {
  'batch/v1/CronJob': CronJob as unknown as ModelClass,
  'batch/v1/Job': Job as unknown as ModelClass,
  'v1/ConfigMap': ConfigMap as unknown as ModelClass,
  'v1/Secret': Secret as unknown as ModelClass,
  'v1/ServiceAccount': ServiceAccount as unknown as ModelClass,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as unknown as ModelClass,
};

const FOLDER = new URL('../../../docs/kubernetes/', import.meta.url);

type KubernetesObject = { apiVersion?: string; kind?: string } & Record<string, unknown>;

async function readObjects(file: string): Promise<KubernetesObject[]> {
  const documents = parseAllDocuments(await readFile(new URL(file, FOLDER), 'utf8'));
  const list = Array.isArray(documents) ? documents : [documents];
  for (const document of list) expect(document.errors, `${file}: YAML errors`).toEqual([]);
  return list.map((document) => document.toJS() as KubernetesObject | null).filter((object): object is KubernetesObject => object !== null);
}

/** The schema's complaint, or undefined when the object is valid. */
function validateObject(object: KubernetesObject): string | undefined {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) return `no schema model for ${object.apiVersion} ${object.kind}: add it to MODELS`;
  try {
    new Model(object as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const files = (await readdir(FOLDER)).filter((file) => /\.ya?ml$/.test(file)).sort();

describe('docs/kubernetes manifests against the Kubernetes schema', () => {
  it('has manifests to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s: every object is valid for its kind', async (file) => {
    const objects = await readObjects(file);
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) expect(validateObject(object), `${file}: ${object.kind}`).toBeUndefined();
  });

  it('rejects a CronJob the API server would reject (the check is not a no-op)', async () => {
    const [cronJob] = await readObjects('cronjob.yaml');
    const broken = structuredClone(cronJob!) as any;
    broken.spec.schedule = 10;
    broken.spec.jobTemplate.spec.template.spec.containers[0].args.push(8);
    delete broken.spec.jobTemplate.spec.template.spec.containers[0].name;
    const problem = validateObject(broken);
    expect(problem).toMatch(/schedule must be string/);
    expect(problem).toMatch(/args\/\d+ must be string/);
    expect(problem).toMatch(/required property name/);
  });

  it('rejects a Job whose deadline is not an integer', async () => {
    const [job] = await readObjects('dry-run-job.yaml');
    const broken = structuredClone(job!) as any;
    broken.spec.activeDeadlineSeconds = '10m';
    expect(validateObject(broken)).toMatch(/activeDeadlineSeconds must be integer/);
  });
});
