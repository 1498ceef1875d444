/**
 * The deployment files parse and say what the image and the flows need: docker-compose.yml, the Kubernetes
 * manifests in deploy/k8s, the flows they mount (valid, and the ConfigMap holds exactly deploy/flows/*.json), and a
 * Dockerfile made of deploy/install.sh's steps. YAML is parsed by PyYAML (Debian: python3-yaml), the YAML parser
 * this machine has; no npm package is added for it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findReferences } from '../../src/flow/references.js';
import { repoRoot, runCli } from '../support/cli.js';
import { readDockerfile } from './dockerfile.js';

const deploy = join(repoRoot, 'deploy');
const k8s = join(deploy, 'k8s');
const flowFiles = readdirSync(join(deploy, 'flows'))
  .filter((f) => f.endsWith('.json'))
  .sort();

type Doc = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: manifests are walked by path; each test checks the shape it reads.
type Any = any;

/** Every document of each YAML file, through PyYAML's safe loader (as JSON). */
function loadYaml(files: string[]): Record<string, Doc[]> {
  const script =
    'import json, sys, yaml\nprint(json.dumps({f: list(yaml.safe_load_all(open(f))) for f in sys.argv[1:]}))';
  const r = spawnSync('python3', ['-c', script, ...files], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`YAML check needs python3 with PyYAML (apt-get install python3-yaml): ${r.error ?? r.stderr}`);
  }
  return JSON.parse(r.stdout) as Record<string, Doc[]>;
}

const yamlFiles = [
  join(deploy, 'docker-compose.yml'),
  ...readdirSync(k8s)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(k8s, f)),
];
const docs = loadYaml(yamlFiles);
const k8sDocs = Object.entries(docs)
  .filter(([f]) => f.startsWith(k8s))
  .flatMap(([, d]) => d) as Any[];
const byKind = (kind: string): Any => {
  const found = k8sDocs.filter((d) => d?.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0];
};
/** `${env:NAME}` names the flows use, but HOSTNAME (the pod name, set by Kubernetes). */
const secretVariables = [
  ...new Set(
    flowFiles.flatMap((f) =>
      findReferences(readFileSync(join(deploy, 'flows', f), 'utf8'))
        .filter((r) => r.kind === 'env' && r.name !== 'HOSTNAME')
        .map((r) => r.name),
    ),
  ),
].sort();

describe('deployment files', () => {
  it('every YAML file parses, and every Kubernetes document has apiVersion, kind and a name', () => {
    for (const file of yamlFiles) expect(docs[file]?.length, file).toBeGreaterThan(0);
    for (const d of k8sDocs) {
      expect(typeof d.apiVersion, JSON.stringify(d).slice(0, 80)).toBe('string');
      expect(typeof d.kind).toBe('string');
      if (d.kind !== 'Kustomization') expect(typeof d.metadata?.name).toBe('string');
    }
    const kustomization = byKind('Kustomization');
    for (const resource of kustomization.resources as string[])
      expect(existsSync(join(k8s, resource)), resource).toBe(true);
  });

  it('the flows are valid, and the ConfigMap holds exactly deploy/flows', async () => {
    const r = await runCli(['validate', ...flowFiles.map((f) => join(deploy, 'flows', f))]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const configMap = byKind('ConfigMap');
    expect(Object.keys(configMap.data).sort()).toEqual(flowFiles);
    for (const f of flowFiles) {
      expect(JSON.parse(configMap.data[f]), f).toEqual(JSON.parse(readFileSync(join(deploy, 'flows', f), 'utf8')));
    }
  });

  it('a StatefulSet of 3 with probes, resources, a read-only root, flows, secrets as env and scraping', () => {
    const dockerfile = readDockerfile();
    const set = byKind('StatefulSet');
    expect(set.spec.replicas).toBe(3);
    const pod = set.spec.template.spec;
    const [container] = pod.containers;
    const opsPort = container.ports.find((p: Any) => p.name === 'ops').containerPort;
    expect(String(opsPort)).toBe(dockerfile.env.SLUICE_OPS_PORT);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'ops' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'ops' });
    for (const kind of ['requests', 'limits']) {
      expect(container.resources[kind].cpu, kind).toBeTruthy();
      expect(container.resources[kind].memory, kind).toBeTruthy();
    }
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const env = Object.fromEntries(container.env.map((e: Any) => [e.name, e]));
    expect(env.SLUICE_OPS_HOST.value).toBe('0.0.0.0'); // probes and Prometheus come from outside the pod
    expect(env.HOSTNAME.valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    // Every secret a flow references comes from the Secret, and the example Secret names them all.
    const secret = byKind('Secret');
    for (const name of secretVariables) {
      expect(env[name]?.valueFrom?.secretKeyRef, name).toEqual({ name: secret.metadata.name, key: name });
      expect(secret.stringData[name], name).toBeDefined();
    }
    const mounts = Object.fromEntries(container.volumeMounts.map((m: Any) => [m.mountPath, m.name]));
    expect(dockerfile.cmd).toEqual(['/flows']);
    const flowsVolume = pod.volumes.find((v: Any) => v.name === mounts['/flows']);
    expect(flowsVolume.configMap.name).toBe(byKind('ConfigMap').metadata.name);
    expect(dockerfile.volumes).toEqual([dockerfile.env.SLUICE_DATA_DIR]);
    expect(set.spec.volumeClaimTemplates[0].metadata.name).toBe(mounts[dockerfile.env.SLUICE_DATA_DIR]);
    expect(mounts['/tmp']).toBeDefined(); // writable scratch on a read-only root
    const annotations = set.spec.template.metadata.annotations;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/port']).toBe(String(opsPort));
    const monitor = byKind('PodMonitor');
    expect(monitor.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'ops', path: '/metrics' });
    expect(monitor.spec.selector.matchLabels).toEqual(set.spec.selector.matchLabels);
    expect(byKind('Service').spec.clusterIP).toBe('None');
    expect(set.spec.serviceName).toBe(byKind('Service').metadata.name);
  });

  it('docker-compose runs the image with the four services, flows read-only and state on a volume', () => {
    const compose = docs[join(deploy, 'docker-compose.yml')][0] as Any;
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'mosquitto', 'postgres', 'rabbitmq', 'sluice']);
    const sluice = compose.services.sluice;
    expect(existsSync(join(deploy, sluice.build.context, sluice.build.dockerfile))).toBe(true);
    expect(sluice.read_only).toBe(true);
    expect(sluice.volumes).toContain('./flows:/flows:ro');
    expect(sluice.volumes.some((v: string) => v.endsWith(':/data'))).toBe(true);
    for (const name of secretVariables) expect(sluice.environment[name], name).toBeDefined();
    for (const mount of compose.services.mosquitto.volumes as string[]) {
      const source = mount.split(':')[0];
      if (source.startsWith('.')) expect(existsSync(join(deploy, source)), source).toBe(true);
    }
  });

  it('the Dockerfile is made of deploy/install.sh steps and runs as a non-root user with a health check', () => {
    const dockerfile = readDockerfile();
    const runs = dockerfile.instructions.filter(([k]) => k === 'RUN').map(([, a]) => a);
    for (const step of ['pack', 'deps', 'app']) {
      expect(
        runs.some((r) => new RegExp(`install\\.sh ${step}\\b`).test(r)),
        `RUN install.sh ${step}`,
      ).toBe(true);
    }
    expect(dockerfile.user).not.toBe('root');
    expect(dockerfile.healthcheck.join(' ')).toContain('/healthz');
    expect(dockerfile.healthcheck.join(' ')).toContain('SLUICE_OPS_PORT');
  });
});
