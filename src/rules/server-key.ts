/*
 * The `auths` server keys given to this library: which ones to refuse, and how to show one in a
 * message without the user name or password it may carry.
 */

import { KubeletKeyring } from './kubelet-keyring';

/**
 * Where the user name and password of a server key would be, if it had them: the part of the
 * authority before its last "@", with the authority cut as Go's `url.Parse` cuts it. Any scheme
 * counts, in any case: the kubelet reads `HTTPS://u@host` as a host "HTTPS:", but a reader sees a
 * user name there.
 */
function userinfoRange(server: string): [number, number] | undefined {
  const start = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(server)?.[0].length ?? 0;
  let end = server.length;
  for (const delimiter of ['#', '?', '/']) {
    const at = server.indexOf(delimiter, start);
    if (at >= 0 && at < end) {
      end = at;
    }
  }
  const at = server.lastIndexOf('@', end - 1);
  return at >= start ? [start, at] : undefined;
}

/**
 * Whether a server key carries a user name or password before "@" (see `redactUserinfo`).
 * @internal
 */
export function hasUserinfo(server: string): boolean {
  return userinfoRange(server) !== undefined;
}

/**
 * A server key for messages: any user name or password before "@" is replaced by `<redacted>`.
 * @internal
 */
export function redactUserinfo(server: string): string {
  const range = userinfoRange(server);
  return range ? server.slice(0, range[0]) + '<redacted>' + server.slice(range[1]) : server;
}

/**
 * What is wrong with a server key given to this library, as a clause that names it (never its
 * user name or password), or undefined when the key is fine. A key is refused when it is not a
 * string, is empty or has surrounding whitespace, carries a user name or password before "@"
 * (the kubelet would drop them, and every message would repeat them), or is one the kubelet
 * ignores because Go's `url.Parse` refuses it.
 * @internal
 */
export function serverKeyProblem(server: unknown): string | undefined {
  if (typeof server !== 'string') {
    return `server is ${server === null ? 'null' : Array.isArray(server) ? 'an array' : typeof server}, not a string; give a registry host such as "registry.gitlab.com"`;
  }
  const shown = JSON.stringify(redactUserinfo(server));
  if (server.trim() === '' || server.trim() !== server) {
    return `server ${shown} is empty or has surrounding whitespace; give a registry host such as "registry.gitlab.com"`;
  }
  if (userinfoRange(server)) {
    return `server ${shown} carries a user name or password before "@"; give the credentials as username and password, and the server as host[:port][/path]`;
  }
  if (KubeletKeyring.keyOf(server) === undefined) {
    return `server ${shown} is not a host[:port][/path] the kubelet can use; give a registry host such as "registry.gitlab.com"`;
  }
  return undefined;
}
