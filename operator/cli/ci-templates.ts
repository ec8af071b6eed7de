// The pipelines `ponyexpress init ci` writes into an app repository. Both providers run the same steps:
// lint; test against a Postgres service; build and push the sha-<commit> tag and record its digest; tell the
// operator's webhook (optional); publish staging to the GitOps repo (only where CI moves staging); and a
// manual production approval that sets the Promotion's approval annotation (the operator still promotes only
// what staging verified: the cluster is the place that knows health). Shell steps are the scripts in
// ci/ponyexpress/ (copied from scripts/ci/ of ponyexpress), so CI and the tests run the same code.

export interface CiOptions {
  /** The app's name (the Promotion's name) and production namespace. */
  app: string;
  namespace: string;
  /** Python version for lint and test. */
  python: string;
}

export const SCRIPTS = ['build-push.sh', 'notify-webhook.sh'] as const;
export const SCRIPT_DIR = 'ci/ponyexpress';

export function githubWorkflow(o: CiOptions): string {
  return `# Written by \`npx ponyexpress init ci --provider github\`. Repository variables: PONYEXPRESS_IMAGE (e.g.
# ghcr.io/acme/${o.app}), optional PONYEXPRESS_WEBHOOK_URL, PONYEXPRESS_CONFIG_REPO + PONYEXPRESS_GITOPS_REPO (only when CI
# moves staging). Secrets: PONYEXPRESS_WEBHOOK_SECRET, PONYEXPRESS_GITOPS_TOKEN, PONYEXPRESS_KUBECONFIG. The
# "production" environment should require reviewers: its approval is the Promotion's Manual approval.
name: ponyexpress
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
concurrency:
  group: ponyexpress-\${{ github.ref }}
  cancel-in-progress: false
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "${o.python}"
      - run: pip install ruff
      - run: ruff check .
  test:
    needs: lint
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_USER: app
          POSTGRES_PASSWORD: app
          POSTGRES_DB: app
        ports:
          - 5432:5432
        options: >-
          --health-cmd "pg_isready -U app" --health-interval 5s --health-timeout 5s --health-retries 10
    env:
      PGHOST: localhost
      PGPORT: "5432"
      PGUSER: app
      PGPASSWORD: app
      PGDATABASE: app
      DATABASE_URL: postgres://app:app@localhost:5432/app
      DJANGO_SECRET_KEY: ci-only-not-secret
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "${o.python}"
      - run: pip install -r requirements.txt
      - run: python manage.py test
  build:
    needs: test
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
    outputs:
      tag: \${{ steps.push.outputs.tag }}
      digest: \${{ steps.push.outputs.digest }}
    steps:
      - uses: actions/checkout@v4
      - name: Log in to the registry
        run: echo "\${{ secrets.GITHUB_TOKEN }}" | docker login ghcr.io -u "\${{ github.actor }}" --password-stdin
      - id: push
        run: bash ${SCRIPT_DIR}/build-push.sh "\${{ vars.PONYEXPRESS_IMAGE }}" "\${{ github.sha }}" .
      - name: Notify the ponyexpress webhook (optional; the registry poll moves staging without it)
        if: vars.PONYEXPRESS_WEBHOOK_URL != ''
        env:
          PONYEXPRESS_WEBHOOK_SECRET: \${{ secrets.PONYEXPRESS_WEBHOOK_SECRET }}
        run: >-
          bash ${SCRIPT_DIR}/notify-webhook.sh "\${{ vars.PONYEXPRESS_WEBHOOK_URL }}" "\${{ vars.PONYEXPRESS_IMAGE }}"
          "\${{ steps.push.outputs.tag }}" "\${{ steps.push.outputs.digest }}"
  publish-staging:
    # Only where CI moves staging (the operator's registry following is off): pin, synth, publish to Git.
    needs: build
    if: vars.PONYEXPRESS_CONFIG_REPO != ''
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          repository: \${{ vars.PONYEXPRESS_CONFIG_REPO }}
          token: \${{ secrets.PONYEXPRESS_GITOPS_TOKEN }}
      - uses: actions/setup-node@v4
        with:
          node-version: "24"
      - run: npm ci
      - run: >-
          bash scripts/ci/publish-staging.sh "\${{ vars.PONYEXPRESS_GITOPS_REPO }}" clusters/${o.app}
          "\${{ needs.build.outputs.tag }}" "\${{ needs.build.outputs.digest }}"
  approve-production:
    # Reviewers of the "production" environment approve; this only sets the Promotion's approval. The operator
    # promotes when staging has verified exactly this digest (soak, smoke, migrations) and never otherwise.
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: "24"
      - name: Approve the promotion of this digest
        env:
          KUBECONFIG_DATA: \${{ secrets.PONYEXPRESS_KUBECONFIG }}
        run: |
          printf '%s' "$KUBECONFIG_DATA" > "$RUNNER_TEMP/kubeconfig"
          KUBECONFIG="$RUNNER_TEMP/kubeconfig" npx --yes --package=ponyexpress ponyexpress approve ${o.app} \\
            "\${{ needs.build.outputs.digest }}" -n ${o.namespace}
`;
}

export function gitlabPipeline(o: CiOptions): string {
  return `# Written by \`npx ponyexpress init ci --provider gitlab\`. CI/CD variables: PONYEXPRESS_IMAGE (default: this
# project's registry image), optional PONYEXPRESS_WEBHOOK_URL + PONYEXPRESS_WEBHOOK_SECRET, PONYEXPRESS_CONFIG_REPO +
# PONYEXPRESS_GITOPS_REPO (only when CI moves staging), PONYEXPRESS_KUBECONFIG (file). The manual
# approve-production job is the Promotion's Manual approval; protect the "production" environment.
stages: [lint, test, build, publish, approve]
variables:
  PONYEXPRESS_IMAGE: $CI_REGISTRY_IMAGE
workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
lint:
  stage: lint
  image: python:${o.python}
  script:
    - pip install ruff
    - ruff check .
test:
  stage: test
  image: python:${o.python}
  services:
    - name: postgres:16
      alias: postgres
  variables:
    POSTGRES_USER: app
    POSTGRES_PASSWORD: app
    POSTGRES_DB: app
    PGHOST: postgres
    PGPORT: "5432"
    PGUSER: app
    PGPASSWORD: app
    PGDATABASE: app
    DATABASE_URL: postgres://app:app@postgres:5432/app
    DJANGO_SECRET_KEY: ci-only-not-secret
  script:
    - pip install -r requirements.txt
    - python manage.py test
build:
  stage: build
  image: docker:27
  services:
    - docker:27-dind
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  before_script:
    - apk add --no-cache bash curl openssl
    - echo "$CI_REGISTRY_PASSWORD" | docker login "$CI_REGISTRY" -u "$CI_REGISTRY_USER" --password-stdin
  script:
    - bash ${SCRIPT_DIR}/build-push.sh "$PONYEXPRESS_IMAGE" "$CI_COMMIT_SHA" .
    - source ponyexpress-image.env
    - if [ -n "$PONYEXPRESS_WEBHOOK_URL" ]; then bash ${SCRIPT_DIR}/notify-webhook.sh "$PONYEXPRESS_WEBHOOK_URL" "$PONYEXPRESS_IMAGE" "$tag" "$digest"; fi
  artifacts:
    reports:
      dotenv: ponyexpress-image.env
publish-staging:
  stage: publish
  image: node:24
  needs: [build]
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $PONYEXPRESS_CONFIG_REPO
  script:
    - git clone --depth 1 "$PONYEXPRESS_CONFIG_REPO" config
    - cd config && npm ci
    - bash scripts/ci/publish-staging.sh "$PONYEXPRESS_GITOPS_REPO" clusters/${o.app} "$tag" "$digest"
approve-production:
  stage: approve
  image: node:24
  needs: [build]
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      when: manual
  allow_failure: false
  environment:
    name: production
  script:
    - KUBECONFIG="$PONYEXPRESS_KUBECONFIG" npx --yes --package=ponyexpress ponyexpress approve ${o.app} "$digest" -n ${o.namespace}
`;
}
