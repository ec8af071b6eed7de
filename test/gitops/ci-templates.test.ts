// `ponyexpress init ci`: the real CLI writes the pipelines; actionlint (built from the Go module proxy) checks
// the GitHub workflow, and gitlab-ci-local checks the GitLab file against GitLab's CI JSON schema. The shell
// steps the pipelines call run for real: build-push.sh with docker against Debian's docker-registry,
// notify-webhook.sh against an HMAC-checking server, publish-staging.sh against git daemon.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { parse } from 'yaml';
import { startRegistry, type RunningRegistry } from '../operator/io/docker-registry.js';
import { GitDaemon } from './git-server.js';
import { cloneRepo, REPO_ROOT, removeTempDirs, tempDir } from './support.js';

jest.setTimeout(300_000);
const NODE = process.execPath;
const CLI = join(REPO_ROOT, 'operator/cli/ponyexpress.mjs');

function cli(args: string[], cwd = REPO_ROOT) {
  return spawnSync(NODE, [CLI, ...args], { cwd, encoding: 'utf8' });
}

afterAll(removeTempDirs);

describe('init ci', () => {
  test('github: the workflow passes actionlint (with shellcheck on its run steps) and calls the scripts it wrote', () => {
    const dir = tempDir('ci-github');
    const run = cli(['init', 'ci', '--provider', 'github', '--app', 'ponyshop', '--dir', dir]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('wrote .github/workflows/ponyexpress.yml, ci/ponyexpress/build-push.sh');
    const actionlint = execFileSync('bash', [join(REPO_ROOT, 'scripts/ci/build-actionlint.sh')], {
      encoding: 'utf8',
    }).trim();
    const lint = spawnSync(actionlint, ['-no-color', '.github/workflows/ponyexpress.yml'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    const workflow = parse(readFileSync(join(dir, '.github/workflows/ponyexpress.yml'), 'utf8')) as {
      jobs: Record<string, { needs?: string; services?: object; environment?: string; steps: { run?: string }[] }>;
    };
    expect(Object.keys(workflow.jobs)).toEqual(['lint', 'test', 'build', 'publish-staging', 'approve-production']);
    expect(workflow.jobs.test.services).toHaveProperty('postgres');
    expect(workflow.jobs['approve-production'].environment).toBe('production');
    for (const script of ['build-push.sh', 'notify-webhook.sh'])
      expect(existsSync(join(dir, 'ci/ponyexpress', script))).toBe(true);
    // actionlint can fail: a typo'd job key is reported.
    const broken = join(dir, '.github/workflows/broken.yml');
    writeFileSync(
      broken,
      readFileSync(join(dir, '.github/workflows/ponyexpress.yml'), 'utf8').replace('runs-on:', 'runs_on:'),
    );
    expect(spawnSync(actionlint, ['-no-color', broken], { cwd: dir }).status).toBe(1);
  });

  test("gitlab: the pipeline validates against GitLab's CI schema (gitlab-ci-local), and a typo does not", () => {
    const dir = tempDir('ci-gitlab');
    execFileSync('git', ['init', '--quiet', dir]);
    expect(cli(['init', 'ci', '--provider', 'gitlab', '--app', 'ponyshop', '--dir', dir]).status).toBe(0);
    const gcl = join(REPO_ROOT, 'node_modules/gitlab-ci-local/dist/index.js');
    const check = () => spawnSync(NODE, [gcl, '--list'], { cwd: dir, encoding: 'utf8' });
    const ok = check();
    expect(ok.stdout + ok.stderr).toContain('json schema validated');
    expect(ok.status).toBe(0);
    const file = join(dir, '.gitlab-ci.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  stage: build\n', '  stage: build\n  scripts: []\n'));
    const bad = check();
    expect(bad.stdout + bad.stderr).toMatch(/'scripts' property is not expected to be here at build/);
    expect(bad.status).not.toBe(0);
  });

  test('bad input: a wrong provider, a wrong target, a file that exists (nothing written)', () => {
    const wrong = cli(['init', 'ci', '--provider', 'jenkins']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('--provider must be "github" or "gitlab" (found "jenkins")');
    expect(cli(['init', 'cd']).stderr).toContain('unknown init target "cd", expected "ci"');
    const dir = tempDir('ci-exists');
    mkdirSync(join(dir, '.github/workflows'), { recursive: true });
    writeFileSync(join(dir, '.github/workflows/ponyexpress.yml'), 'mine\n');
    const taken = cli(['init', 'ci', '--provider', 'github', '--dir', dir]);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain('.github/workflows/ponyexpress.yml already exists');
    expect(readFileSync(join(dir, '.github/workflows/ponyexpress.yml'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(dir, 'ci'))).toBe(false);
  });
});

describe('the scripts the pipelines call', () => {
  let registry: RunningRegistry;
  const daemon = new GitDaemon();
  beforeAll(async () => {
    registry = await startRegistry();
    await daemon.start();
  });
  afterAll(async () => {
    await registry.stop();
    await daemon.stop();
  });

  test('build-push.sh builds, pushes sha-<commit> and records the digest the registry answers', async () => {
    const context = tempDir('ci-context');
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    writeFileSync(join(context, 'hello.txt'), `built ${Date.now()}\n`);
    const repository = `${registry.host}/gitops-ci/ponyshop`;
    const outputFile = join(context, 'github-output');
    writeFileSync(outputFile, '');
    const sha = '3f2a9c1d0b7e55aa00112233445566778899aabb';
    try {
      const run = spawnSync('bash', [join(REPO_ROOT, 'scripts/ci/build-push.sh'), repository, sha, '.'], {
        cwd: context,
        encoding: 'utf8',
        env: { ...process.env, GITHUB_OUTPUT: outputFile },
      });
      expect({
        status: run.status,
        stderr: run.stderr.replace(/DEPRECATED: The legacy builder[^]*?buildx\/\s*/, ''),
      }).toEqual({
        status: 0,
        stderr: '',
      });
      const outputs = Object.fromEntries(
        readFileSync(outputFile, 'utf8')
          .trim()
          .split('\n')
          .map((l) => l.split('=') as [string, string]),
      );
      expect(outputs.tag).toBe('sha-3f2a9c1d0b7e');
      const head = await fetch(`${registry.baseUrl}/v2/gitops-ci/ponyshop/manifests/sha-3f2a9c1d0b7e`, {
        method: 'HEAD',
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      expect(head.status).toBe(200);
      expect(outputs.digest).toBe(head.headers.get('docker-content-digest'));
      expect(readFileSync(join(context, 'ponyexpress-image.env'), 'utf8')).toContain(`digest=${outputs.digest}`);
    } finally {
      spawnSync('docker', ['image', 'rm', '--force', `${repository}:sha-3f2a9c1d0b7e`]);
    }
    const bad = spawnSync('bash', [join(REPO_ROOT, 'scripts/ci/build-push.sh'), `${repository}:v1`, sha], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('repository must not carry a tag');
  });

  test('notify-webhook.sh signs the body with HMAC-SHA256; a server that refuses makes the step fail', async () => {
    const received: { body: string; signature?: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const signature = req.headers['x-ponyexpress-signature-256'] as string | undefined;
        received.push({ body, signature });
        const good = `sha256=${createHmac('sha256', 'webhook-secret').update(body).digest('hex')}`;
        res.writeHead(signature === good ? 202 : 401).end(signature === good ? 'accepted' : 'bad signature');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/webhook`;
    const digest = `sha256:${'ef'.repeat(32)}`;
    const notify = (secret: string) =>
      new Promise<{ status: number | null; out: string }>((resolve) => {
        const child = spawnWithSecret(
          'bash',
          [join(REPO_ROOT, 'scripts/ci/notify-webhook.sh'), url, 'registry.example/shop', 'sha-abc', digest],
          secret,
        );
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        child.on('exit', (status) => resolve({ status, out }));
      });
    try {
      const ok = await notify('webhook-secret');
      expect(ok).toEqual({ status: 0, out: 'accepted\n' });
      expect(JSON.parse(received[0].body)).toEqual({ repository: 'registry.example/shop', tag: 'sha-abc', digest });
      const wrong = await notify('not-the-secret');
      expect(wrong.status).not.toBe(0);
      expect(wrong.out).toContain('bad signature');
    } finally {
      server.close();
    }
  });

  test('publish-staging.sh pins staging to the digest, synthesises and publishes one commit', () => {
    // A checkout of the configuration repository: the sources are linked, environments/ is a private copy.
    const config = tempDir('ci-config');
    for (const entry of [
      'node_modules',
      'charts',
      'contract',
      'scripts',
      'imports',
      'main.ts',
      'package.json',
      'tsconfig.json',
      'operator',
    ])
      symlinkSync(join(REPO_ROOT, entry), join(config, entry));
    cpSync(join(REPO_ROOT, 'environments'), join(config, 'environments'), { recursive: true });
    const url = daemon.createRepo('fleet-ci');
    const digest = `sha256:${'0a'.repeat(32)}`;
    const run = spawnSync(
      'bash',
      [join(REPO_ROOT, 'scripts/ci/publish-staging.sh'), url, 'clusters/ponyshop', 'sha-3f2a9c1d0b7e', digest],
      {
        cwd: config,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('published operator');
    const clone = cloneRepo(url);
    const web = readFileSync(join(clone, 'clusters/ponyshop/staging/50-deployment-ponyshop-web.yaml'), 'utf8');
    expect(web).toContain(`image: ghcr.io/ponyexpress/ponyshop:sha-3f2a9c1d0b7e@${digest}`);
    expect(execFileSync('git', ['log', '--format=%s'], { cwd: clone, encoding: 'utf8' }).trim()).toBe(
      `Move staging to sha-3f2a9c1d0b7e (${digest})`,
    );
    const bad = spawnSync(
      'bash',
      [join(REPO_ROOT, 'scripts/ci/publish-staging.sh'), url, 'p', 'sha-1', 'not-a-digest'],
      {
        cwd: config,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage: set-image.ts <env> <tag> <sha256:64 hex digest>');
  });
});

function spawnWithSecret(cmd: string, args: string[], secret: string) {
  return spawn(cmd, args, {
    env: { ...process.env, PONYEXPRESS_WEBHOOK_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
