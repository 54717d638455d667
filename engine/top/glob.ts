// fnmatch-style globs (Python's fnmatch: `*`, `?`, `[abc]`, `[!abc]`; `*` crosses `.` and `/`).

export function globToRegExp(glob: string, flags = ''): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, `s${flags}`);
}

export function globMatch(value: string, glob: string, caseInsensitive = false): boolean {
  return globToRegExp(glob, caseInsensitive ? 'i' : '').test(value);
}
