import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { DatabaseConfig } from '../config/database-schema.js';
import { appMetadataFor, type AppIdentity } from '../labels.js';
import { externalSecretTargetName } from './provider-secrets.js';

type ExternalSecretsDatabase = Extract<DatabaseConfig, { provider: 'external-secrets' }>;

export interface PostgresExternalSecretProps {
  readonly identity: AppIdentity;
  readonly database: ExternalSecretsDatabase;
}

/** `{{ index . "prop" }}` works for any property name, dashes included. */
function field(prop: string, filter = ''): string {
  return `{{ index . ${JSON.stringify(prop)}${filter} }}`;
}

/**
 * An External Secrets Operator `ExternalSecret` (API v1, ESO >= 0.16) that turns a cloud secret
 * (RDS, Cloud SQL, …) into a Secret with the same keys CloudNativePG uses, plus a `uri`.
 */
export class PostgresExternalSecret extends Construct {
  constructor(scope: Construct, id: string, props: PostgresExternalSecretProps) {
    super(scope, id);
    const db = props.database;
    const p = db.properties;
    const target = externalSecretTargetName(props.identity.app);
    new ApiObject(this, 'resource', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: appMetadataFor(props.identity, target),
      spec: {
        refreshInterval: db.refreshInterval,
        secretStoreRef: { name: db.secretStoreRef.name, kind: db.secretStoreRef.kind },
        target: {
          name: target,
          creationPolicy: 'Owner',
          template: {
            engineVersion: 'v2',
            data: {
              host: field(p.host),
              port: field(p.port),
              username: field(p.username),
              password: field(p.password),
              dbname: field(p.dbname),
              uri: `postgresql://${field(p.username, ' | urlquery')}:${field(p.password, ' | urlquery')}@${field(p.host)}:${field(p.port)}/${field(p.dbname)}`,
            },
          },
        },
        dataFrom: [{ extract: { key: db.remoteKey } }],
      },
    });
  }
}
