// The registry client against small HTTP servers started here, each playing one registry
// behaviour (a challenge, a redirect, a rate limit, silence). The real registries (Debian's
// docker-registry with Basic and token auth, over HTTP and HTTPS) are asked in pull-check.test.ts.
import { createHash } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { inspect } from 'util';
import { endpointOf, isLoopback, parseChallenge, retryDelay, PullResult, RegistryClient, RegistryCredential } from '../src/cli/registry-client';
import { kubeletCredential, readKubeletDockerConfig } from '../src/rules/kubelet-docker-config';

const SENTINEL = 'Sentinel-Password-4c1d';
const MANIFEST = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');
const DIGEST = 'sha256:' + createHash('sha256').update(MANIFEST).digest('hex');

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface FakeRegistry {
  readonly host: string;
  /** method, path and whether an Authorization header came, of each request */
  readonly seen: Array<{ method: string; url: string; authorization?: string }>;
  close(): Promise<void>;
}

const servers: FakeRegistry[] = [];

async function serve(handler: Handler): Promise<FakeRegistry> {
  const seen: FakeRegistry['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const fake = {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>(resolve => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  servers.push(fake);
  return fake;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => s.close()));
});

const basicOf = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

/** a registry with Basic auth for one user, which has `team/app:v1` */
function basicRegistry(user: string, password: string, options: { digestHeader?: boolean } = {}): Handler {
  return (req, res) => {
    if (req.headers.authorization !== basicOf(user, password)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
    } else if (req.url === '/v2/') {
      res.writeHead(200).end('{}');
    } else if (req.url === '/v2/team/app/manifests/v1') {
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        ...options.digestHeader === false ? {} : { 'docker-content-digest': DIGEST },
      }).end(req.method === 'HEAD' ? undefined : MANIFEST);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    }
  };
}

function client(options: ConstructorParameters<typeof RegistryClient>[0] = {}): RegistryClient {
  const c = new RegistryClient({ backoffMs: 1, ...options });
  afterEachClose.push(c);
  return c;
}
const afterEachClose: RegistryClient[] = [];
afterEach(() => afterEachClose.splice(0).forEach(c => c.close()));

const app = (registry: string, reference = 'v1') => ({ registry, repository: 'team/app', reference });
const credential = (secret: string, server: string, password: string) => new RegistryCredential(secret, server, 'user', password);

describe('parseChallenge', () => {
  test.each([
    ['Basic realm="registry"', { scheme: 'basic' }],
    ['Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"',
      { scheme: 'bearer', realm: 'https://auth.example.com/token', service: 'registry.example.com' }],
    // both offered: Bearer, whatever the order and case
    ['basic realm="x", BEARER realm="https://auth/t", service="s"', { scheme: 'bearer', realm: 'https://auth/t', service: 's' }],
    // a quoted comma and an escaped quote stay in their value
    ['Bearer realm="https://auth/t?a=1,2",service="s \\"q\\""', { scheme: 'bearer', realm: 'https://auth/t?a=1,2', service: 's "q"' }],
    ['Bearer realm=https://auth/t,service=reg', { scheme: 'bearer', realm: 'https://auth/t', service: 'reg' }],
    // Bearer without a realm cannot be followed
    ['Bearer service="s"', undefined],
    ['Negotiate', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j', (header, expected) => {
    // GIVEN a WWW-Authenticate header WHEN it is parsed THEN the challenge is the one a runtime follows
    expect(parseChallenge(header)).toEqual(expected);
  });

  test('several header values: Bearer wins', () => {
    expect(parseChallenge(['Basic realm="x"', 'Bearer realm="https://a/t"'])).toEqual({ scheme: 'bearer', realm: 'https://a/t', service: undefined });
  });
});

describe('RegistryClient.resolve with Basic auth', () => {
  test('the right credentials get the digest the registry sent', async () => {
    // GIVEN a Basic registry and the right credentials
    const registry = await serve(basicRegistry('user', SENTINEL));
    const right = credential('ns/regcred', registry.host, SENTINEL);

    // WHEN the manifest is asked for
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), [right]);

    // THEN it is ok with that digest, by HEAD, with the runtime's Accept header
    expect(result).toEqual({ status: 'ok', digest: DIGEST, credential: right });
    expect(registry.seen.map(s => `${s.method} ${s.url}`)).toEqual(['GET /v2/', 'HEAD /v2/team/app/manifests/v1']);
  });

  test('credentials are tried in order until one is let in, as the kubelet does', async () => {
    // GIVEN a wrong credential first and the right one second
    const registry = await serve(basicRegistry('user', SENTINEL));
    const wrong = credential('ns/old', registry.host, 'wrong-password');
    const right = credential('ns/new', registry.host, SENTINEL);

    // WHEN the manifest is asked for
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), [wrong, right]);

    // THEN the second one gets it
    expect(result).toMatchObject({ status: 'ok', credential: right });
  });

  test('every credential refused: unauthorized, naming the secrets tried', async () => {
    // GIVEN only wrong credentials
    const registry = await serve(basicRegistry('user', 'something-else'));
    const creds = [credential('ns/a', registry.host, SENTINEL), credential('ns/b', registry.host, SENTINEL + '2')];

    // WHEN the manifest is asked for
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), creds);

    // THEN it is unauthorized and names both, and no printout holds the password
    expect(result).toMatchObject({ status: 'unauthorized', tried: creds });
    for (const shown of [JSON.stringify(result), inspect(result, { depth: 10, showHidden: true }), String((result as any).tried)]) {
      expect(shown).toContain('ns/a');
      expect(shown).not.toContain(SENTINEL);
      expect(shown).not.toContain(Buffer.from(`user:${SENTINEL}`).toString('base64'));
    }
  });

  test('no credential for a registry that asks for one: unauthorized, anonymously', async () => {
    // GIVEN a Basic registry WHEN the manifest is asked for without credentials
    const registry = await serve(basicRegistry('user', SENTINEL));
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), []);

    // THEN it is unauthorized with nothing tried, and the manifest was not even asked for
    expect(result).toMatchObject({ status: 'unauthorized', tried: [] });
    expect((result as any).reason).toMatch(/no pull secret of the pod covers it/);
    expect(registry.seen.map(s => s.url)).toEqual(['/v2/']);
  });

  test('a missing tag is not found', async () => {
    const registry = await serve(basicRegistry('user', SENTINEL));
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host, 'v9'), [credential('r', registry.host, SENTINEL)]);
    expect(result).toMatchObject({ status: 'not-found', reason: 'the registry has no manifest "v9" in repository "team/app"' });
  });

  test('without a Docker-Content-Digest header the digest is that of the manifest\'s bytes', async () => {
    // GIVEN a registry that sends no digest header
    const registry = await serve(basicRegistry('user', SENTINEL, { digestHeader: false }));

    // WHEN the manifest is asked for
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), [credential('r', registry.host, SENTINEL)]);

    // THEN it is fetched, and its sha256 is the digest
    expect(result).toMatchObject({ status: 'ok', digest: DIGEST });
    expect(registry.seen.map(s => s.method)).toEqual(['GET', 'HEAD', 'GET']);
  });
});

describe('RegistryClient.resolve with Bearer tokens', () => {
  /** a token service and a registry that accepts its token for `team/app` */
  async function tokenRegistry(password: string, anonymous: boolean) {
    const auth = await serve((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const authenticated = req.headers.authorization === basicOf('user', password);
      if (req.headers.authorization !== undefined && !authenticated) {
        res.writeHead(401).end();
        return;
      }
      const granted = authenticated || anonymous;
      res.writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token: granted ? `token-for:${url.searchParams.get('scope')}:${url.searchParams.get('service')}` : 'empty', expires_in: 300 }));
    });
    const registry = await serve((req, res) => {
      if (req.headers.authorization === 'Bearer token-for:repository:team/app:pull:test-registry') {
        res.writeHead(req.url!.endsWith('/v1') ? 200 : 404, { 'docker-content-digest': DIGEST }).end();
      } else {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${auth.host}/token",service="test-registry"` }).end();
      }
    });
    return { auth, registry };
  }

  test('the token comes from the realm with the service and the pull scope, once for several tags', async () => {
    // GIVEN a token registry and the right credentials
    const { auth, registry } = await tokenRegistry(SENTINEL, false);
    const c = client({ insecureRegistries: [registry.host] });
    const right = credential('r', registry.host, SENTINEL);

    // WHEN two tags of one repository are asked for
    const [v1, v2] = await Promise.all([c.resolve(app(registry.host, 'v1'), [right]), c.resolve(app(registry.host, 'v2'), [right])]);

    // THEN one is ok and the other not found, with one token request that sent the credentials
    expect(v1).toMatchObject({ status: 'ok', digest: DIGEST });
    expect(v2).toMatchObject({ status: 'not-found' });
    expect(auth.seen).toEqual([{ method: 'GET', url: '/token?service=test-registry&scope=repository%3Ateam%2Fapp%3Apull', authorization: basicOf('user', SENTINEL) }]);
  });

  test.each([
    ['/token', 'the registry\'s token realm "/token" is not an absolute URL'],
    ['ftp://auth.example.com/token', 'the registry\'s token realm "ftp://auth.example.com" is not an http(s) URL'],
    // credentials are not sent in clear text to a realm off this host
    ['http://192.0.2.1/token', 'the registry\'s token realm http://192.0.2.1 is plain HTTP, where credentials are not sent; if that is intended, list it with --insecure-registry 192.0.2.1'],
  ])('a realm %s is an error for this image, not a crash', async (realm, reason) => {
    // GIVEN a registry whose Bearer challenge names that realm
    const registry = await serve((_req, res) => res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="s"` }).end());

    // WHEN asked with credentials
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), [credential('r', registry.host, SENTINEL)]);

    // THEN it is an error that says what is wrong with the realm
    expect(result).toEqual({ status: 'error', reason });
  });

  test('secrets with the same credentials share one token', async () => {
    // GIVEN two credentials of the same content, from two namespaces' copies of a secret
    const { auth, registry } = await tokenRegistry(SENTINEL, false);
    const c = client({ insecureRegistries: [registry.host] });

    // WHEN two tags are asked, one with each
    await c.resolve(app(registry.host, 'v1'), [credential('a/regcred', registry.host, SENTINEL)]);
    await c.resolve(app(registry.host, 'v2'), [credential('b/regcred', registry.host, SENTINEL)]);

    // THEN the token service was asked once
    expect(auth.seen).toHaveLength(1);
  });

  test('an expired token is asked for again once, however many requests find it expired', async () => {
    // GIVEN a clock the test moves, and a token that lives 20 s
    let now = 0;
    let tokens = 0;
    const auth = await serve((_req, res) => res.writeHead(200).end(JSON.stringify({ token: `t${++tokens}`, expires_in: 20 })));
    const registry = await serve((req, res) => res.writeHead(req.headers.authorization?.startsWith('Bearer t') ? 200 : 401, {
      'www-authenticate': `Bearer realm="http://${auth.host}/token"`, 'docker-content-digest': DIGEST,
    }).end());
    const c = client({ insecureRegistries: [registry.host], now: () => now });
    await c.resolve(app(registry.host, 'v0'), []);

    // WHEN the token has expired and four tags are asked at once
    now = 60_000;
    const results = await Promise.all(['v1', 'v2', 'v3', 'v4'].map(tag => c.resolve(app(registry.host, tag), [])));

    // THEN all are ok, after one new token
    expect(results.map(r => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(auth.seen).toHaveLength(2);
  });

  test('a token with a character no header may hold is an error for the image, not a network failure', async () => {
    // GIVEN a token service whose token holds a newline
    const auth = await serve((_req, res) => res.writeHead(200).end(JSON.stringify({ token: 'a\nb' })));
    const registry = await serve((_req, res) => res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${auth.host}/token"` }).end());

    // WHEN asked THEN it is an error naming the code, never the value
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), []);
    expect(result).toEqual({ status: 'error', reason: `${registry.host} answered with a value that cannot be sent back in a request (ERR_INVALID_CHAR)` });
  });

  test('an answer larger than any token or manifest is cut, and is an error', async () => {
    // GIVEN a token service that streams without end
    const auth = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      const write = () => {
        while (res.write(chunk)) {
          // until the socket is full, then again when it drains
        }
      };
      res.on('drain', write);
      write();
    });
    const registry = await serve((_req, res) => res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${auth.host}/token"` }).end());

    // WHEN asked THEN it is an error about the size, well before the 10 s timeout would end it
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), []);
    expect(result).toEqual({ status: 'error', reason: `http://${auth.host} answered with more than ${4 * 1024 * 1024} bytes` });
  });

  test('the token service refusing the credentials is unauthorized', async () => {
    const { registry } = await tokenRegistry('another', false);
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), [credential('ns/r', registry.host, SENTINEL)]);
    expect(result).toMatchObject({ status: 'unauthorized', tried: [{ secret: 'ns/r' }] });
    expect((result as any).reason).toMatch(/^the token service at http:\/\/127\.0\.0\.1:\d+ answered 401 to these credentials$/);
  });

  test('anonymously: a token without credentials, as for a public image', async () => {
    // GIVEN a registry whose token service grants anonymous pulls
    const { auth, registry } = await tokenRegistry(SENTINEL, true);

    // WHEN asked without credentials
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), []);

    // THEN it is ok, and the token request carried no Authorization
    expect(result).toEqual({ status: 'ok', digest: DIGEST, credential: undefined });
    expect(auth.seen[0].authorization).toBeUndefined();
  });
});

describe('RegistryClient: redirects, retries and failures', () => {
  test('a redirect to another origin is followed without the credentials', async () => {
    // GIVEN a registry that redirects the manifest to another host
    const other = await serve((_req, res) => res.writeHead(200, { 'docker-content-digest': DIGEST }).end());
    const registry = await serve((req, res) => {
      if (req.url === '/v2/') {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end();
      } else {
        res.writeHead(307, { location: `http://${other.host}/blob/manifest` }).end();
      }
    });

    // WHEN the manifest is asked for with credentials
    const result = await client({ insecureRegistries: [registry.host, other.host] }).resolve(app(registry.host), [credential('r', registry.host, SENTINEL)]);

    // THEN the other host answered, and never saw an Authorization header
    expect(result).toMatchObject({ status: 'ok', digest: DIGEST });
    expect(registry.seen[1].authorization).toBe(basicOf('user', SENTINEL));
    expect(other.seen).toEqual([{ method: 'HEAD', url: '/blob/manifest', authorization: undefined }]);
  });

  describe('a credential goes to its registry and to the token realm its own challenge names, nowhere else', () => {
    /** a host that answers every request with 401 and a Bearer challenge naming its own realm, and grants any token there */
    async function harvester() {
      const cdn: FakeRegistry = await serve((req, res) => {
        if (req.url!.startsWith('/harvest')) {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"harvested","expires_in":300}');
        } else {
          res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${cdn.host}/harvest",service="cdn"` }).end();
        }
      });
      return cdn;
    }

    /** every Authorization header any server saw, with the host that saw it */
    const authorizationsSeen = (...hosts: FakeRegistry[]) =>
      hosts.flatMap(h => h.seen.filter(s => s.authorization !== undefined).map(s => ({ host: h.host, url: s.url, authorization: s.authorization })));

    test('a 401 from the origin a manifest request was redirected to is not answered with the registry\'s Basic credentials', async () => {
      // GIVEN a registry with Basic auth that redirects the manifest to another origin, which answers
      // 401 with a Bearer challenge naming a realm of its own
      const cdn = await harvester();
      const registry = await serve((req, res) => {
        if (req.headers.authorization !== basicOf('user', SENTINEL)) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="registry"' }).end();
        } else {
          res.writeHead(302, { location: `http://${cdn.host}/cdn/team/app/manifests/v1` }).end();
        }
      });

      // WHEN the manifest is asked for with the registry's credentials
      const result = await client({ insecureRegistries: [registry.host, cdn.host] }).resolve(app(registry.host), [credential('r', registry.host, SENTINEL)]);

      // THEN only the registry saw an Authorization header: neither the redirect target nor the realm
      // it named got the credentials, and the answer says why it is unauthorized
      expect(authorizationsSeen(registry, cdn)).toEqual([
        { host: registry.host, url: '/v2/team/app/manifests/v1', authorization: basicOf('user', SENTINEL) },
      ]);
      expect(cdn.seen.map(s => s.url)).toEqual(['/cdn/team/app/manifests/v1']);
      expect(result).toMatchObject({ status: 'unauthorized', tried: [{ secret: 'r' }] });
      expect((result as any).reason).toBe(`http://${registry.host} redirected the manifest request to http://${cdn.host}, which answered 401; `
        + 'a challenge from another origin is not answered, as no credential goes anywhere but its registry');
      expect(JSON.stringify(result)).not.toContain(SENTINEL);
      expect(JSON.stringify(result)).not.toContain(basicOf('user', SENTINEL).slice(6));
    });

    test('a challenge to GET /v2/ from the origin it was redirected to is not the registry\'s', async () => {
      // GIVEN a registry whose /v2/ redirects to another origin that challenges with a realm of its own
      const cdn = await harvester();
      const registry = await serve((_req, res) => res.writeHead(302, { location: `http://${cdn.host}/v2/` }).end());

      // WHEN the manifest is asked for with credentials
      const result = await client({ insecureRegistries: [registry.host, cdn.host] }).resolve(app(registry.host), [credential('r', registry.host, SENTINEL)]);

      // THEN no host saw the credentials, and the image is unauthorized with the reason
      expect(authorizationsSeen(registry, cdn)).toEqual([]);
      expect(cdn.seen.map(s => s.url)).toEqual(['/v2/']);
      expect(result).toMatchObject({
        status: 'unauthorized',
        reason: `http://${registry.host} redirected GET /v2/ to http://${cdn.host}, which answered 401; `
          + 'a challenge from another origin is not answered, as no credential goes anywhere but its registry',
      });
    });

    test('a token realm on another origin, named by the registry\'s own challenge, gets the credentials, as Docker sends them', async () => {
      // GIVEN a registry whose own Bearer challenge names a token service on another origin
      const tokens = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t1"}'));
      const registry = await serve((req, res) => {
        if (req.headers.authorization === 'Bearer t1' && req.url !== '/v2/') {
          res.writeHead(200, { 'docker-content-digest': DIGEST }).end();
        } else {
          res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${tokens.host}/token",service="reg"` }).end();
        }
      });

      // WHEN the manifest is asked for with credentials
      const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), [credential('r', registry.host, SENTINEL)]);

      // THEN the realm got the Basic credentials, the registry only the token
      expect(result).toMatchObject({ status: 'ok', digest: DIGEST });
      expect(authorizationsSeen(registry, tokens)).toEqual([
        { host: registry.host, url: '/v2/team/app/manifests/v1', authorization: 'Bearer t1' },
        { host: tokens.host, url: '/token?service=reg&scope=repository%3Ateam%2Fapp%3Apull', authorization: basicOf('user', SENTINEL) },
      ]);
    });
  });

  test('a registry without HEAD on manifests is asked with GET', async () => {
    // GIVEN a registry that answers HEAD with 405 and sends no digest header
    const registry = await serve((req, res) => {
      if (req.url === '/v2/') {
        res.writeHead(200).end();
      } else {
        res.writeHead(req.method === 'HEAD' ? 405 : 200).end(req.method === 'HEAD' ? undefined : MANIFEST);
      }
    });

    // WHEN asked
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), []);

    // THEN one GET gave the manifest, whose bytes give the digest
    expect(result).toMatchObject({ status: 'ok', digest: DIGEST });
    expect(registry.seen.map(s => s.method)).toEqual(['GET', 'HEAD', 'GET']);
  });

  test('a redirect from HTTPS down to plain HTTP is not followed', async () => {
    // GIVEN a redirect whose target is plain HTTP, met on an HTTPS URL (the check runs before any connection)
    const c = client() as any;
    const from = new URL('https://registry.example.com/v2/a/manifests/v1');
    const answer = { status: 307, headers: { location: 'http://evil.example.com/m' } };
    c.request = async () => answer;

    // WHEN followed THEN it is refused, naming both origins
    await expect(c.follow('HEAD', from, { authorization: 'Basic x' }, false)).rejects.toMatchObject({
      result: { status: 'error', reason: 'https://registry.example.com redirected to plain HTTP (http://evil.example.com), which is not followed' },
    });
  });

  test('too many redirects is an error', async () => {
    const registry = await serve((req, res) => res.writeHead(req.url === '/v2/' ? 200 : 302, { location: '/again' }).end());
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), []);
    expect(result).toMatchObject({ status: 'error', reason: expect.stringMatching(/^more than 5 redirects/) });
  });

  test('429 and 5xx are retried with backoff, then answered', async () => {
    // GIVEN a registry that is rate limited twice, then answers
    let calls = 0;
    const registry = await serve((req, res) => {
      if (req.url === '/v2/') {
        res.writeHead(200).end();
      } else if (++calls === 1) {
        res.writeHead(429, { 'retry-after': '0' }).end();
      } else if (calls === 2) {
        res.writeHead(503).end();
      } else {
        res.writeHead(200, { 'docker-content-digest': DIGEST }).end();
      }
    });

    // WHEN the manifest is asked for
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), []);

    // THEN the third try got it
    expect(result).toMatchObject({ status: 'ok' });
    expect(calls).toBe(3);
  });

  test('a registry that keeps failing gives up after the retries', async () => {
    const registry = await serve((req, res) => res.writeHead(req.url === '/v2/' ? 200 : 502).end());
    const result = await client({ insecureRegistries: [registry.host], retries: 2 }).resolve(app(registry.host), []);
    expect(result).toEqual({ status: 'error', reason: 'the registry answered the manifest request with HTTP 502' });
    expect(registry.seen).toHaveLength(1 + 3);
  });

  test('a registry that never answers is unreachable within the timeout', async () => {
    // GIVEN a server that accepts and stays silent
    const registry = await serve(() => undefined);

    // WHEN asked with a short timeout
    const result = await client({ insecureRegistries: [registry.host], timeoutMs: 300 }).resolve(app(registry.host), []);

    // THEN it is unreachable because of the timeout
    expect(result).toEqual({ status: 'unreachable', cause: 'timeout', reason: `${registry.host} did not answer within 0.3 s` });
  });

  test.each([
    ['refused', '127.0.0.1:1', /^127\.0\.0\.1:1 refused the connection/],
    ['dns', 'does-not-exist.invalid', /^the host name "does-not-exist\.invalid" does not resolve \((ENOTFOUND|EAI_AGAIN)\)$/],
  ])('unreachable: %s', async (cause, host, reason) => {
    const result: PullResult = await client({ insecureRegistries: [host], timeoutMs: 5000 }).resolve(app(host), []);
    expect(result).toMatchObject({ status: 'unreachable', cause, reason: expect.stringMatching(reason) });
  });

  test('a loopback registry that speaks plain HTTP is asked over HTTP once HTTPS fails, as containerd does', async () => {
    // GIVEN a plain HTTP registry on 127.0.0.1, not listed as insecure
    const registry = await serve((req, res) => res.writeHead(req.url === '/v2/' ? 200 : 200, { 'docker-content-digest': DIGEST }).end());

    // WHEN asked twice
    const c = client();
    const results = [await c.resolve(app(registry.host), []), await c.resolve(app(registry.host, 'v2'), [])];

    // THEN both are ok over HTTP, and HTTPS was tried only once
    expect(results).toEqual([{ status: 'ok', digest: DIGEST, credential: undefined }, { status: 'ok', digest: DIGEST, credential: undefined }]);
    expect(registry.seen.map(s => `${s.method} ${s.url}`)).toEqual(['GET /v2/', 'HEAD /v2/team/app/manifests/v1', 'HEAD /v2/team/app/manifests/v2']);
  });

  test.each([
    ['localhost:5000', true],
    ['localhost', true],
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['[::1]:5000', true],
    ['[::ffff:127.0.0.1]:5000', true],
    ['registry.gitlab.com', false],
    ['10.0.0.1:5000', false],
    ['localhost.example.com', false],
    ['128.0.0.1', false],
  ])('isLoopback(%s) is %s', (registry, loopback) => {
    expect(isLoopback(registry)).toBe(loopback);
  });

  test('a registry open at /v2/ that challenges for the repository gets the credentials', async () => {
    // GIVEN a registry whose /v2/ needs no auth but whose manifests do
    const registry = await serve((req, res) => {
      if (req.url === '/v2/') {
        res.writeHead(200).end();
      } else if (req.headers.authorization === basicOf('user', SENTINEL)) {
        res.writeHead(200, { 'docker-content-digest': DIGEST }).end();
      } else {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="repo"' }).end();
      }
    });

    // WHEN asked with the right credentials
    const right = credential('r', registry.host, SENTINEL);
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), [right]);

    // THEN the manifest's challenge was answered
    expect(result).toEqual({ status: 'ok', digest: DIGEST, credential: right });
    expect(registry.seen.map(s => [s.method, s.authorization === undefined])).toEqual([['GET', true], ['HEAD', true], ['HEAD', false]]);
  });

  test('every credential is tried whatever the error, as the kubelet does; a credential let in to find nothing is the report', async () => {
    // GIVEN a first credential that finds no tag and a second refused one
    const registry = await serve(basicRegistry('user', SENTINEL));
    const right = credential('ns/right', registry.host, SENTINEL);
    const wrong = credential('ns/wrong', registry.host, 'nope');

    // WHEN a missing tag is asked with both
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host, 'v9'), [right, wrong]);

    // THEN both were tried, and the report is not found, for the one let in
    expect(result).toMatchObject({ status: 'not-found', credential: right });
    expect(registry.seen.filter(s => s.method === 'HEAD')).toHaveLength(2);
  });

  test.each([
    // [Retry-After, backoff, timeout, wait]
    [undefined, 500, 10_000, 500],
    ['2', 500, 10_000, 2000],
    ['0', 500, 10_000, 0],
    // a day is cut to the timeout, and never beyond 10 s
    ['86400', 500, 3000, 3000],
    ['86400', 500, 60_000, 10_000],
    // an HTTP date or garbage: the backoff
    ['Wed, 21 Oct 2026 07:28:00 GMT', 1000, 10_000, 1000],
    ['', 1000, 10_000, 1000],
  ])('Retry-After %j with backoff %d and timeout %d waits %d ms', (retryAfter, backoff, timeout, wait) => {
    expect(retryDelay(retryAfter, backoff, timeout)).toBe(wait);
  });

  test.each([
    ['docker.io', [], 'https://registry-1.docker.io'],
    ['index.docker.io', [], 'https://registry-1.docker.io'],
    ['registry.gitlab.com', [], 'https://registry.gitlab.com'],
    ['127.0.0.1:5000', ['127.0.0.1:5000'], 'http://127.0.0.1:5000'],
    // insecure is per host and port
    ['127.0.0.1:5001', ['127.0.0.1:5000'], 'https://127.0.0.1:5001'],
  ])('the endpoint of %s (insecure: %j) is %s', (registry, insecure, endpoint) => {
    expect(endpointOf(registry, new Set(insecure))).toBe(endpoint);
  });
});

describe('RegistryCredential', () => {
  test('no printout shows the user name or password', () => {
    // GIVEN a credential
    const c = new RegistryCredential('team/regcred', 'registry.example.com', 'Sentinel-User-77', SENTINEL);

    // WHEN it is printed in every way THEN only the secret and server show
    for (const shown of [String(c), `${c}`, JSON.stringify(c), inspect(c, { showHidden: true, depth: 5 }), inspect({ c }), Object.keys(c).join()]) {
      expect(shown).not.toContain(SENTINEL);
      expect(shown).not.toContain('Sentinel-User-77');
    }
    expect(String(c)).toBe('secret "team/regcred" (server "registry.example.com")');
    expect(c.basic()).toBe(basicOf('Sentinel-User-77', SENTINEL));
  });

  test('sends the bytes the kubelet decoded from auth, UTF-8 or not: Basic is base64 of the bytes user:password', async () => {
    // GIVEN a pull secret whose auth "dTpw5HNz" is "u" and the bytes p, 0xe4, s, s, read as the
    // kubelet reads it, and a registry that lets in exactly those bytes
    const entry = readKubeletDockerConfig(Buffer.from('{"auths":{"r":{"auth":"dTpw5HNz"}}}'), 'dockerconfigjson').get('r')!;
    const { username, password } = kubeletCredential(entry);
    const registry = await serve((req, res) => res.writeHead(req.headers.authorization === 'Basic dTpw5HNz' ? 200 : 401, {
      'www-authenticate': 'Basic realm="test"', 'docker-content-digest': DIGEST,
    }).end());
    const c = new RegistryCredential('s', registry.host, username, password);

    // WHEN the manifest is asked for with it
    const result = await client({ insecureRegistries: [registry.host] }).resolve(app(registry.host), [c]);

    // THEN the header is base64 of the bytes themselves, not of U+FFFD in place of 0xe4
    expect(c.basic()).toBe('Basic dTpw5HNz');
    expect(result).toEqual({ status: 'ok', digest: DIGEST, credential: c });
    expect(registry.seen.map(s => s.authorization)).toEqual([undefined, 'Basic dTpw5HNz']);
  });

  test('a password written into the server key is not shown either', () => {
    // GIVEN a server key with user info, which the kubelet drops
    const c = new RegistryCredential('s', `http://bob:${SENTINEL}@127.0.0.1:5000`, 'u', 'p');

    // THEN it is redacted wherever the credential is named
    expect(String(c)).toBe('secret "s" (server "http://<redacted>@127.0.0.1:5000")');
    expect(JSON.stringify(c)).toBe('{"secret":"s","server":"http://<redacted>@127.0.0.1:5000"}');
    expect(inspect(c)).not.toContain(SENTINEL);
  });

  test('a client prints no token it holds', async () => {
    // GIVEN a client that fetched a token
    const auth = await serve((_req, res) => res.writeHead(200).end(JSON.stringify({ token: SENTINEL })));
    const registry = await serve((req, res) => res.writeHead(req.headers.authorization ? 200 : 401, {
      'www-authenticate': `Bearer realm="http://${auth.host}/token"`, 'docker-content-digest': DIGEST,
    }).end());
    const c = client({ insecureRegistries: [registry.host] });
    expect(await c.resolve(app(registry.host), [])).toMatchObject({ status: 'ok' });

    // WHEN it is printed THEN the token is not there
    for (const shown of [inspect(c, { depth: 10, showHidden: true }), JSON.stringify(c), inspect({ c }, { depth: 10 })]) {
      expect(shown).not.toContain(SENTINEL);
    }
    expect(inspect(c)).toBe('RegistryClient { requests: 3 }');
  });
});
