import { spawn } from 'node:child_process';

/**
 * Opens a URL in the user's default browser (`demo` from a terminal), with the platform's own
 * opener. Best effort: without one (a server, a container) nothing happens and the printed URL
 * is the way in.
 */
export function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener: the banner above names the URL.
  }
}
