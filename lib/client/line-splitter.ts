/**
 * Line framing for HTTP watch streams: the api-server (like Kubernetes)
 * writes one JSON event per line, and a chunk may end mid-line.
 */
export class LineSplitter {
  private rest = '';

  /** The complete lines in `chunk` (after what was left over), without their newlines; blank lines dropped. */
  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop()!;
    return lines.filter((l) => l.trim() !== '');
  }

  /** What is left when the stream ends (a last line without a newline), or ''. */
  end(): string {
    const r = this.rest;
    this.rest = '';
    return r.trim();
  }
}
