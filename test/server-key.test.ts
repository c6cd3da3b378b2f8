import { KubeletKeyring } from '../src/rules/kubelet-keyring';
import { redactUserinfo, serverKeyProblem } from '../src/rules/server-key';

describe('serverKeyProblem', () => {
  test.each([
    'registry.gitlab.com', 'https://index.docker.io/v1/', 'registry.example.com:5000/team', 'ghcr.io/org?x=a@b', 'ghcr.io/org#a@b', 'ghcr.io/a@b', '*.example.com',
  ])('accepts %j', (server) => {
    expect(serverKeyProblem(server)).toBeUndefined();
  });

  test.each([
    ['https://u5er:s3cr3t@ghcr.io', 'server "https://<redacted>@ghcr.io" carries a user name or password before "@"'],
    ['u5er:s3cr3t@ghcr.io', 'server "<redacted>@ghcr.io" carries a user name or password before "@"'],
    ['http://s3cr3t@ghcr.io:5000/v2/', 'server "http://<redacted>@ghcr.io:5000/v2/" carries a user name or password before "@"'],
    ['https://u5er:s3cr3t@@ghcr.io', 'server "https://<redacted>@ghcr.io" carries a user name or password before "@"'],
    ['u5er s3cr3t@ghcr.io', 'server "<redacted>@ghcr.io" carries a user name or password before "@"'],
    ['ghcr.io:port', 'server "ghcr.io:port" is not a host[:port][/path] the kubelet can use'],
    ['', 'server "" is empty or has surrounding whitespace'],
    [' ghcr.io', 'server " ghcr.io" is empty or has surrounding whitespace'],
    [5, 'server is number, not a string'],
    [null, 'server is null, not a string'],
    [['ghcr.io'], 'server is an array, not a string'],
  ])('refuses %j without repeating a user name or password', (server, problem) => {
    // WHEN
    const found = serverKeyProblem(server);

    // THEN
    expect(found?.startsWith(problem + '; ')).toBe(true);
    expect(found).not.toMatch(/u5er|s3cr3t/);
  });

  test('the kubelet would use a key with a user name and password as the bare host', () => {
    // the reason to refuse them is the leak, not the match
    expect(KubeletKeyring.keyOf('https://u5er:s3cr3t@ghcr.io/v2/')).toBe('ghcr.io');
  });
});

describe('redactUserinfo', () => {
  test.each([
    ['ghcr.io', 'ghcr.io'],
    ['https://u:p@ghcr.io/v2/', 'https://<redacted>@ghcr.io/v2/'],
    ['u@ghcr.io', '<redacted>@ghcr.io'],
    ['HTTPS://u@ghcr.io', 'HTTPS://<redacted>@ghcr.io'],
    ['ghcr.io/team@x', 'ghcr.io/team@x'],
  ])('%j is shown as %j', (server, shown) => {
    expect(redactUserinfo(server)).toBe(shown);
  });
});
