// Credentials for one registry host from a kubernetes.io/dockerconfigjson Secret's `.dockerconfigjson`
// (the format `kubectl create secret docker-registry` writes): `auths[host]` with `auth` (base64
// user:password) or `username` + `password`, or `identitytoken` (an OAuth2 refresh token).
export interface RegistryCredentials {
  username?: string;
  password?: string;
  identityToken?: string;
}

type AuthEntry = { auth?: string; username?: string; password?: string; identitytoken?: string };

/** Keys as people write them: `host`, `https://host`, `https://host/v1/`, `http://host`. */
function hostOf(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

/** The credentials for `host` (host[:port]), undefined when the file names none; throws with a reason on junk. */
export function credentialsFor(
  dockerConfigJson: string,
  host: string,
  secretName: string,
): RegistryCredentials | undefined {
  let parsed: { auths?: Record<string, AuthEntry> };
  try {
    parsed = JSON.parse(dockerConfigJson) as typeof parsed;
  } catch {
    throw new Error(
      `Secret ${secretName}: .dockerconfigjson is not JSON; expected {"auths": {"${host}": {"auth": "<base64 user:password>"}}}`,
    );
  }
  const auths = parsed?.auths;
  if (!auths || typeof auths !== 'object')
    throw new Error(
      `Secret ${secretName}: .dockerconfigjson has no "auths" object; expected {"auths": {"${host}": {…}}}`,
    );
  const lookFor = host === 'registry-1.docker.io' ? ['docker.io', 'index.docker.io', 'registry-1.docker.io'] : [host];
  const entry = Object.entries(auths).find(([key]) => lookFor.includes(hostOf(key)))?.[1];
  if (!entry) return undefined;
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.username !== undefined && entry.password !== undefined)
    return { username: entry.username, password: entry.password };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new Error(`Secret ${secretName}: auths["${host}"].auth is not base64 of user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  throw new Error(`Secret ${secretName}: auths["${host}"] has neither auth, username+password nor identitytoken`);
}
