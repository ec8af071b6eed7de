// The CRDs of record (operator/crd/*.yaml), as the operator chart ships them. The ImageFollow's
// `spec.writeBack` is not written twice: it is the Promotion CRD's `spec.writeBack` fragment (schema,
// validation, defaults), grafted here, so both writers of Git take the same settings.
import { readFileSync } from 'node:fs';
import type { ApiObjectProps } from 'cdk8s';
import { parseAllDocuments } from 'yaml';

const PROMOTION_CRD = new URL('../../operator/crd/promotions.ponyexpress.dev.yaml', import.meta.url);
const FOLLOW_CRD = new URL('../../operator/crd/imagefollows.ponyexpress.dev.yaml', import.meta.url);

type Schema = { properties?: Record<string, Schema>; description?: string; [key: string]: unknown };
interface Crd extends ApiObjectProps {
  spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
}

function crdFrom(file: URL): Crd {
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS() as Crd | null);
  if (docs.length !== 1 || docs[0]?.kind !== 'CustomResourceDefinition') {
    throw new Error(`${file.pathname}: expected exactly one CustomResourceDefinition`);
  }
  return docs[0];
}

const specOf = (crd: Crd, version = 'v1alpha1'): Schema => {
  const spec = crd.spec.versions.find((v) => v.name === version)?.schema.openAPIV3Schema.properties?.spec;
  if (!spec?.properties) throw new Error(`${String(crd.metadata?.name)}: no ${version} spec schema`);
  return spec;
};

export function promotionCrd(): Crd {
  return crdFrom(PROMOTION_CRD);
}

/** The Promotion CRD's `spec.writeBack` schema: the one definition of Git write-back settings. */
export function writeBackSchema(): Schema {
  const fragment = specOf(promotionCrd()).properties?.writeBack;
  if (!fragment) throw new Error(`${PROMOTION_CRD.pathname}: spec.writeBack is missing`);
  return fragment;
}

export function imageFollowCrd(): Crd {
  const crd = crdFrom(FOLLOW_CRD);
  specOf(crd).properties!.writeBack = {
    ...writeBackSchema(),
    description:
      'Opt-in Git write-back: staging moves by one commit to the GitOps repository (after the staging migration Job succeeded), not by patching the cluster. Same settings as a Promotion spec.writeBack.',
  };
  return crd;
}
