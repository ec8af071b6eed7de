// A real git server over HTTP for the tests: git's own `git http-backend` CGI behind a small Node http server
// on a free loopback port, with HTTP basic auth. It runs in a child process, so a test may push to it with
// the synchronous execFileSync (which blocks the test's own event loop). Bare repositories live in a temp
// folder; while `<base>/REJECT_PUSHES` exists every push answers 403 (a protected branch).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export class GitHttpServer {
  readonly base = mkdtempSync(join(tmpdir(), 'ponyexpress-githttp-'));
  private child?: ChildProcess;
  private port = 0;

  constructor(
    readonly username: string,
    readonly password: string,
  ) {}

  async start(): Promise<void> {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), this.base, this.username, this.password],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      this.child!.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      this.child!.once('exit', (code) => reject(new Error(`git http server exited (${code}) before listening`)));
    });
  }

  set rejectPushes(on: boolean) {
    const flag = join(this.base, 'REJECT_PUSHES');
    if (on) writeFileSync(flag, '');
    else rmSync(flag, { force: true });
  }

  createRepo(name: string): string {
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', join(this.base, `${name}.git`)]);
    return this.url(name);
  }

  url(name: string): string {
    return `http://127.0.0.1:${this.port}/${name}.git`;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.base, { recursive: true, force: true });
  }
}

function serve(base: string, username: string, password: string): void {
  const backend = join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');
  const server = createServer((req, res) => handle(backend, base, `${username}:${password}`, username, req, res));
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

function handle(
  backend: string,
  base: string,
  credentials: string,
  user: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const service = url.searchParams.get('service') ?? url.pathname.split('/').pop() ?? '';
    if (req.headers.authorization !== `Basic ${Buffer.from(credentials).toString('base64')}`) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end('authentication required\n');
      return;
    }
    if (existsSync(join(base, 'REJECT_PUSHES')) && service === 'git-receive-pack') {
      res.writeHead(403).end('pushes to this branch are not allowed\n');
      return;
    }
    const cgi = spawn(backend, [], {
      env: {
        GIT_PROJECT_ROOT: base,
        GIT_HTTP_EXPORT_ALL: '1',
        REMOTE_USER: user, // lets http-backend accept pushes
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => res.end());
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve(process.argv[2], process.argv[3], process.argv[4]);
