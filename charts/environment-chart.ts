import { Chart } from 'cdk8s';
import type { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { imageReference, type AppContext } from './app-context.js';
import { ArgoApplication } from './argocd-application.js';
import { Beat } from './beat.js';
import type { EnvironmentConfig } from './config/environment-schema.js';
import { Foundation } from './foundation.js';
import type { AppIdentity } from './labels.js';
import { MigrationJob } from './migrations.js';
import { NetworkPolicies } from './network-policies.js';
import { peerFromConfig } from './network-peers.js';
import { postgresBinding } from './postgres/binding.js';
import { PostgresExternalSecret } from './postgres/external-secret.js';
import { Promotion } from './promotion.js';
import { ImageFollow } from './follow.js';
import type { PromotionSource } from './promotion-config.js';
import { Web } from './web.js';
import { Worker } from './worker.js';
import { BEAT_TICK_FILE, HEARTBEAT_FILE } from './probes.js';
import { APP_ENV } from '../contract/index.js';

export interface EnvironmentChartProps {
  /** Environment name, e.g. `staging` (the file name). */
  readonly env: string;
  readonly config: EnvironmentConfig;
  /** Set by the loader when `config.promotion` names a valid source environment. @default no Promotion */
  readonly promotionFrom?: PromotionSource;
  /** Pods besides the ingress controller that call web: the operator, when it smoke-checks this environment. */
  readonly webClients?: readonly k8s.NetworkPolicyPeer[];
}

/** Everything one environment of one app needs, composed from the component constructs. */
export class EnvironmentChart extends Chart {
  constructor(scope: Construct, id: string, props: EnvironmentChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const c = props.config;
    const identity: AppIdentity = { app: c.app, env: props.env, namespace: c.namespace };
    const postgres = postgresBinding(c.database, c.app, c.namespace);
    const foundation = new Foundation(this, 'foundation', {
      identity,
      settings: {
        ...c.settings,
        ...postgres.configData,
        [APP_ENV.djangoSettingsModule]: c.django.settingsModule,
        [APP_ENV.djangoAllowedHosts]: [c.domain, ...c.django.allowedHosts.filter((h) => h !== c.domain)].join(','),
        [APP_ENV.workerHeartbeatFile]: HEARTBEAT_FILE,
        [APP_ENV.beatTickFile]: BEAT_TICK_FILE,
        // The helper answers the probes on these paths, so app and probe agree by construction.
        [APP_ENV.livenessPath]: c.web.probes.liveness.path!,
        [APP_ENV.readinessPath]: c.web.probes.readiness.path!,
      },
      binding: postgres.bindingConfigMap,
    });
    if (c.database.provider === 'external-secrets') {
      new PostgresExternalSecret(this, 'database-secret', { identity, database: c.database });
    }
    const context: AppContext = {
      ...identity,
      image: imageReference(c.image),
      domain: c.domain,
      module: c.django.module,
      serviceAccountName: foundation.serviceAccountName,
      configMapName: foundation.configMapName,
      configChecksum: foundation.configChecksum,
      postgres,
      brokerUrl: c.broker.url,
      brokerAliases: c.broker.aliases,
      djangoSecretKey: c.django.secretKey,
      celeryApp: c.celery.app ?? c.django.module,
      sharedEnv: c.env,
    };
    const migrations = new MigrationJob(this, 'migrations', { context, ...c.migrations });
    const enabled = <T extends { enabled: boolean }>(a?: T) => (a?.enabled ? a : undefined);
    new Web(this, 'web', { context, ...c.web, autoscaling: enabled(c.web.autoscaling) });
    new Worker(this, 'worker', { context, ...c.worker, autoscaling: enabled(c.worker.autoscaling) });
    new Beat(this, 'beat', { context, ...c.beat });
    if (c.features.networkPolicies) {
      new NetworkPolicies(this, 'network-policies', {
        identity,
        database: { port: postgres.egressPort, to: postgres.egressTo },
        broker: { port: c.broker.egress.port, to: c.broker.egress.to.map(peerFromConfig) },
        webIngressFrom: [...(c.web.ingress?.from.map(peerFromConfig) ?? []), ...(props.webClients ?? [])],
      });
    }
    if (c.promotion && props.promotionFrom) {
      new Promotion(this, 'promotion', {
        app: c.app,
        imageRepository: c.image.repository,
        source: props.promotionFrom,
        target: { env: props.env, namespace: c.namespace },
        migrationJobSpec: migrations.plainSpec,
        config: c.promotion,
      });
    }
    if (c.follow) {
      new ImageFollow(this, 'follow', {
        app: c.app,
        env: props.env,
        namespace: c.namespace,
        repository: c.image.repository,
        config: c.follow,
      });
    }
    const argo = c.features.argocd;
    if (argo?.enabled && argo.repoURL) {
      new ArgoApplication(this, 'argocd', {
        identity,
        repoURL: argo.repoURL,
        // Derived from the file name, which the schema does not see.
        path: argo.path ?? `dist/${props.env}`,
        targetRevision: argo.targetRevision,
        project: argo.project,
        argoNamespace: argo.namespace,
        automated: argo.automated,
        // Direct apply only: a promotion target or a following staging without Git write-back.
        operatorPatches:
          (c.promotion !== undefined && props.promotionFrom !== undefined && !c.promotion.writeBack) ||
          (c.follow !== undefined && !c.follow.writeBack),
      });
    }
  }
}
