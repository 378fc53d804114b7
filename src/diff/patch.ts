/**
 * The description of a patch: the Subject and body of each `git format-patch` mail in the file
 * (several when commits were exported with --stdout), or nothing for a bare diff.
 */

/** Subject line(s) and bodies of the mails in a patch file, joined by blank lines; undefined for a bare diff. */
export function patchMessage(text: string): string | undefined {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const messages: string[] = [];
  let i = 0;
  while (i < lines.length) {
    // A mail starts with an mbox "From <sha> <date>" line or directly with headers.
    if (/^From [0-9a-f]{7,64} /.test(lines[i]!)) i++;
    if (!isHeader(lines[i] ?? '')) {
      i = nextMail(lines, i + 1);
      continue;
    }
    const headers = new Map<string, string>();
    let last: string | undefined;
    for (; i < lines.length && lines[i] !== ''; i++) {
      const line = lines[i]!;
      if (/^[ \t]/.test(line) && last) headers.set(last, `${headers.get(last)!} ${line.trim()}`);
      else {
        const m = /^([A-Za-z][\w-]*):\s?(.*)$/.exec(line);
        if (!m) break;
        last = m[1]!.toLowerCase();
        headers.set(last, m[2]!);
      }
    }
    const body: string[] = [];
    for (i++; i < lines.length; i++) {
      const line = lines[i]!;
      if (line === '---' || line.startsWith('diff --git ') || line.startsWith('Index: ') || /^From [0-9a-f]{7,64} /.test(line)) break;
      body.push(line);
    }
    const subject = headers.has('subject') ? cleanSubject(decodeWords(headers.get('subject')!)) : '';
    const message = [subject, body.join('\n').trim()].filter(Boolean).join('\n\n');
    if (message) messages.push(message);
    i = nextMail(lines, i);
  }
  return messages.length > 0 ? messages.join('\n\n') : undefined;
}

function isHeader(line: string): boolean {
  return /^(From|Subject|Date|Message-Id|To|Cc):\s/i.test(line);
}

function nextMail(lines: readonly string[], from: number): number {
  for (let i = from; i < lines.length; i++) if (/^From [0-9a-f]{7,64} /.test(lines[i]!)) return i;
  return lines.length;
}

/** `[PATCH v2 3/7] Fix it` → `Fix it`. */
function cleanSubject(subject: string): string {
  return subject.replace(/^(\s*\[[^\]]*\]\s*)+/, '').trim();
}

/** RFC 2047 encoded words (`=?UTF-8?q?caf=C3=A9?=`), as format-patch writes non-ASCII subjects. */
export function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?') // whitespace between adjacent encoded words is not text
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (whole, charset: string, encoding: string, data: string) => {
      let bytes: Buffer;
      if (encoding.toLowerCase() === 'b') bytes = Buffer.from(data, 'base64');
      else {
        const raw: number[] = [];
        for (let k = 0; k < data.length; k++) {
          const ch = data[k]!;
          if (ch === '_') raw.push(0x20);
          else if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(data.slice(k + 1, k + 3))) {
            raw.push(parseInt(data.slice(k + 1, k + 3), 16));
            k += 2;
          } else raw.push(ch.charCodeAt(0));
        }
        bytes = Buffer.from(raw);
      }
      const cs = charset.toLowerCase().replace(/\*.*$/, '');
      if (cs === 'utf-8' || cs === 'utf8' || cs === 'us-ascii') return bytes.toString('utf8');
      if (cs === 'iso-8859-1' || cs === 'latin1') return bytes.toString('latin1');
      return whole;
    });
}
