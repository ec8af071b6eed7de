// `npm run publish:gitops -- --repo <git url> [--branch main] [--path <dir>] [--message <msg>] [--dist dist]`
// Publishes dist/<env>/ folders to the GitOps repository that Argo CD or Flux watches. See docs/gitops.md.
import { parsePublishArgs, UsageError } from './gitops/args.js';
import { redactUrl } from './gitops/git.js';
import { publishGitops, PublishError } from './gitops/publish.js';

try {
  const options = parsePublishArgs(process.argv.slice(2));
  const where = `${redactUrl(options.repo)} (${options.branch}${options.path ? `, ${options.path}/` : ''})`;
  const result = await publishGitops(options);
  if (!result.commit) {
    console.log(`nothing to publish: ${where} already matches ${options.dist}/ (${result.environments.join(', ')})`);
  } else {
    const changed = [...result.changed]
      .map(([env, files]) => `${env} (${files} file${files === 1 ? '' : 's'})`)
      .join(', ');
    const retried = result.attempts > 1 ? ' after a retry (someone pushed meanwhile)' : '';
    console.log(`published ${changed} to ${where} as ${result.commit.slice(0, 12)}${retried}`);
  }
} catch (err) {
  if (err instanceof UsageError || err instanceof PublishError) {
    console.error(`publish:gitops: ${err.message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  }
  throw err;
}
