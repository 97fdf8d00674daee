/**
 * Kubernetes manifests (#17): both sets (deploy/kubernetes/sqlite and postgres) and the optional ServiceMonitor
 * component. Every object is validated against the Kubernetes OpenAPI schemas (kubernetes-models and
 * @kubernetes-models/prometheus-operator), every kustomization resource exists, and the sets hold together:
 * selectors match pod labels, probes hit /healthz and /readyz on the named port, the ConfigMap is a
 * configuration CloudPAM's own loader accepts. When kubectl is on PATH, `kubectl kustomize` renders each set.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import * as core from "kubernetes-models/v1";
import * as apps from "kubernetes-models/apps/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as batch from "kubernetes-models/batch/v1";
import * as monitoring from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { loadConfig } from "../../src/config.js";

const ROOT = "deploy/kubernetes";
const SETS = ["sqlite", "postgres"] as const;
const COMPONENT = `${ROOT}/components/servicemonitor`;

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };
type Validatable = { validate(): void };
const MODELS: Record<string, Record<string, unknown>> = {
  v1: core,
  "apps/v1": apps,
  "policy/v1": policy,
  "batch/v1": batch,
  "monitoring.coreos.com/v1": monitoring,
};

/** Validates one object with the model class for its apiVersion/kind; throws with the schema error. */
function validate(obj: K8sObject): void {
  const Model = MODELS[obj.apiVersion]?.[obj.kind] as (new (o: unknown) => Validatable) | undefined;
  if (!Model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}

function readObjects(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, "utf8")).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`);
    return d.toJS() as K8sObject;
  });
}

interface Kustomization {
  kind: string;
  namespace?: string;
  resources: string[];
  images?: { name: string; newName: string; newTag: string }[];
}
/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are checked field by field as parsed YAML */
function loadSet(dir: string) {
  const kustomization = parseYaml(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as Kustomization;
  const objects = kustomization.resources.flatMap((r) => readObjects(join(dir, r)));
  const get = (kind: string): any[] => objects.filter((o) => o.kind === kind);
  return { kustomization, objects, get };
}

function podChecks(set: ReturnType<typeof loadSet>) {
  const [deploy] = set.get("Deployment");
  const pod = deploy.spec.template.spec;
  const labels = deploy.spec.template.metadata.labels;
  const container = pod.containers.find((c: any) => c.name === "cloudpam");
  return { deploy, pod, labels, container };
}

describe.each(SETS)("deploy/kubernetes/%s", (name) => {
  const dir = `${ROOT}/${name}`;
  const set = loadSet(dir);

  it("is a kustomization whose resources all exist, with an image to substitute", () => {
    expect(set.kustomization.kind).toBe("Kustomization");
    for (const r of set.kustomization.resources) expect(existsSync(join(dir, r)), r).toBe(true);
    expect(set.kustomization.namespace).toBe("cloudpam");
    const { container } = podChecks(set);
    expect(set.kustomization.images?.map((i) => i.name)).toContain(container.image);
    expect(set.kustomization.images?.[0]?.newTag).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("every object passes the Kubernetes schema", () => {
    expect(set.objects.length).toBeGreaterThanOrEqual(6);
    for (const obj of set.objects)
      expect(() => validate(obj), `${obj.kind}/${obj.metadata?.name}`).not.toThrow();
    const kinds = set.objects.map((o) => o.kind);
    for (const k of ["Namespace", "ServiceAccount", "ConfigMap", "Deployment", "Service"])
      expect(kinds).toContain(k);
  });

  it("the schema check is real: a wrongly typed field is refused", () => {
    const [deploy] = set.get("Deployment") as (K8sObject & { spec: Record<string, unknown> })[];
    expect(() => validate({ ...deploy!, spec: { ...deploy!.spec, replicas: "3" } })).toThrow(/replicas/);
  });

  it("probes /healthz and /readyz on the named port; resources; non-root with a read-only root filesystem", () => {
    const { pod, container } = podChecks(set);
    expect(container.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.startupProbe.httpGet.path).toBe("/healthz");
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.requests.memory).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    // read-only root: /tmp is a writable emptyDir
    const tmp = container.volumeMounts.find((m: any) => m.mountPath === "/tmp");
    expect(pod.volumes.find((v: any) => v.name === tmp.name).emptyDir).toBeDefined();
  });

  it("Service, ServiceAccount, ConfigMap and Secret references hold together", () => {
    const { pod, labels, container } = podChecks(set);
    const [service] = set.get("Service");
    expect(labels).toMatchObject(service.spec.selector);
    expect(service.spec.ports[0].targetPort).toBe("http");
    const [sa] = set.get("ServiceAccount");
    expect(pod.serviceAccountName).toBe(sa.metadata.name);
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(sa.metadata.annotations["iam.gke.io/gcp-service-account"]).toMatch(
      /@.+\.iam\.gserviceaccount\.com$/,
    );
    const configMaps = set.get("ConfigMap").map((c) => c.metadata.name);
    for (const ref of container.envFrom) expect(configMaps).toContain(ref.configMapRef.name);
    const oidc = container.env.find((e: any) => e.name === "OIDC_ISSUER");
    expect(oidc.valueFrom.secretKeyRef).toMatchObject({ key: "OIDC_ISSUER", optional: true });
    // no Secret objects with values are shipped: they are created by the operator
    expect(set.get("Secret")).toEqual([]);
  });

  it("the ConfigMap is a configuration CloudPAM accepts: 0.0.0.0 with auth on", () => {
    const [cm] = set.get("ConfigMap");
    const config = loadConfig(cm.data, {});
    expect(config.addr).toEqual({ host: "0.0.0.0", port: 8080 });
    expect(config.auth).toBe("on");
    expect(config.production).toBe(true);
  });

  it.skipIf(!hasKubectl())(
    "kubectl kustomize renders it, with and without the ServiceMonitor component",
    () => {
      const rendered = parseAllDocuments(
        execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" }),
      ).map((d) => d.toJS() as K8sObject & { metadata: { namespace?: string } });
      expect(rendered.length).toBe(set.objects.length);
      for (const o of rendered) if (o.kind !== "Namespace") expect(o.metadata.namespace).toBe("cloudpam");
      const [deploy] = rendered.filter((o) => o.kind === "Deployment") as any[];
      expect(deploy.spec.template.spec.containers[0].image).toMatch(/^ghcr\.io\/.+:\d+\.\d+\.\d+$/);
      // The documented way to add the ServiceMonitor: uncomment `components:` in the set's kustomization.
      const tmp = mkdtempSync(join(tmpdir(), "cloudpam-kustomize-"));
      try {
        cpSync(ROOT, tmp, { recursive: true });
        const k = join(tmp, name, "kustomization.yaml");
        writeFileSync(k, readFileSync(k, "utf8").replace(/^# (components:| {2}- \.\.\/components)/gm, "$1"));
        const withMonitor = parseAllDocuments(
          execFileSync("kubectl", ["kustomize", join(tmp, name)], { encoding: "utf8" }),
        );
        const sm = withMonitor.map((d) => d.toJS()).find((o) => o.kind === "ServiceMonitor");
        expect(sm.metadata.namespace).toBe("cloudpam");
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    },
  );
});

describe("set-specific rules", () => {
  it("sqlite: one replica, Recreate, the database on the PVC at /data", () => {
    const set = loadSet(`${ROOT}/sqlite`);
    const { deploy, pod, container } = podChecks(set);
    expect(deploy.spec.replicas).toBe(1);
    expect(deploy.spec.strategy).toEqual({ type: "Recreate" });
    const [pvc] = set.get("PersistentVolumeClaim");
    const vol = pod.volumes.find((v: any) => v.persistentVolumeClaim?.claimName === pvc.metadata.name);
    expect(container.volumeMounts.find((m: any) => m.name === vol.name).mountPath).toBe("/data");
    const [cm] = set.get("ConfigMap");
    expect(cm.data.SQLITE_DSN).toMatch(/^\/data\//);
  });

  it("postgres: 3 replicas, DATABASE_URL from a Secret, a PodDisruptionBudget that allows one disruption", () => {
    const set = loadSet(`${ROOT}/postgres`);
    const { deploy, labels, container } = podChecks(set);
    expect(deploy.spec.replicas).toBe(3);
    expect(deploy.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const url = container.env.find((e: any) => e.name === "DATABASE_URL");
    expect(url.valueFrom.secretKeyRef).toEqual({ name: "cloudpam-database", key: "DATABASE_URL" });
    expect(set.get("PersistentVolumeClaim")).toEqual([]);
    const [pdb] = set.get("PodDisruptionBudget");
    expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeGreaterThan(0);
    expect(pdb.spec.minAvailable).toBeLessThan(deploy.spec.replicas);
    // no setting in the ConfigMap is a secret
    const [cm] = set.get("ConfigMap");
    expect(Object.keys(cm.data)).not.toContain("DATABASE_URL");
  });

  it("postgres/migrate: a Job running `cloudpam migrate up` with the rollout's image, the set's Secret and pod security", () => {
    const set = loadSet(`${ROOT}/postgres`);
    const job = loadSet(`${ROOT}/postgres/migrate`);
    expect(job.kustomization.kind).toBe("Kustomization");
    expect(job.kustomization.namespace).toBe(set.kustomization.namespace);
    expect(job.objects.map((o) => o.kind)).toEqual(["Job"]);
    for (const o of job.objects) expect(() => validate(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
    // the schema check is real for the Job too
    const [j] = job.get("Job");
    expect(() => validate({ ...j, spec: { ...j.spec, backoffLimit: "2" } })).toThrow(/backoffLimit/);

    const { pod, container } = podChecks(set);
    const jobPod = j.spec.template.spec;
    const [migrate] = jobPod.containers;
    expect(migrate.args).toEqual(["migrate", "up"]);
    // the image the rollout will use: same name, same substitution (bump both newTags together)
    expect(migrate.image).toBe(container.image);
    expect(job.kustomization.images).toEqual(set.kustomization.images);
    const secretOf = (c: any) => c.env.find((e: any) => e.name === "DATABASE_URL").valueFrom.secretKeyRef;
    expect(secretOf(migrate)).toEqual(secretOf(container));
    // it runs to completion once, and passes the namespace's restricted Pod Security like the Deployment
    expect(jobPod.restartPolicy).toBe("Never");
    expect(j.spec.backoffLimit).toBeGreaterThanOrEqual(0);
    expect(j.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(j.spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
    expect(jobPod.securityContext).toEqual(pod.securityContext);
    expect(migrate.securityContext).toEqual(container.securityContext);
    expect(jobPod.automountServiceAccountToken).toBe(false);
    const tmp = migrate.volumeMounts.find((m: any) => m.mountPath === "/tmp");
    expect(jobPod.volumes.find((v: any) => v.name === tmp.name).emptyDir).toBeDefined();
    expect(migrate.resources.limits.memory).toBeDefined();
    // not part of the set itself: applying the set must not race the rollout with its own migration
    expect(set.objects.map((o) => o.kind)).not.toContain("Job");
  });

  it.skipIf(!hasKubectl())("kubectl kustomize renders the migrate Job in the cloudpam namespace", () => {
    const [job] = parseAllDocuments(
      execFileSync("kubectl", ["kustomize", `${ROOT}/postgres/migrate`], { encoding: "utf8" }),
    ).map((d) => d.toJS());
    expect(job.kind).toBe("Job");
    expect(job.metadata.namespace).toBe("cloudpam");
    expect(job.spec.template.spec.containers[0].image).toMatch(/^ghcr\.io\/.+:\d+\.\d+\.\d+$/);
  });

  it("the optional monitoring component (ServiceMonitor, PrometheusRule) is schema-valid and scrapes the Service's named port", () => {
    const component = parseYaml(readFileSync(`${COMPONENT}/kustomization.yaml`, "utf8")) as Kustomization;
    expect(component.kind).toBe("Component");
    const objects = component.resources.flatMap((r) => readObjects(join(COMPONENT, r)));
    expect(objects.map((o) => o.kind)).toEqual(["ServiceMonitor", "PrometheusRule"]);
    for (const o of objects) validate(o);
    const sm = objects[0] as any;
    // the PrometheusRule carries exactly the plain Prometheus rule file's groups
    const ruleFile = parseYaml(readFileSync("deploy/prometheus/cloudpam-alerts.yaml", "utf8"));
    expect((objects[1] as any).spec).toEqual(ruleFile);
    const [service] = loadSet(`${ROOT}/sqlite`).get("Service");
    expect(service.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(service.spec.ports.map((p: any) => p.name)).toContain(sm.spec.endpoints[0].port);
    expect(sm.spec.endpoints[0].path).toBe("/metrics");
  });
});

function hasKubectl(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
